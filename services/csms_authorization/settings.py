"""authorization settings (`CSMS_AUTHORIZATION_*` plus the common `CSMS_*` ones); reads the environment."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import CommonSettings


class AuthorizationSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore")

    # Where AuthorizationService listens (clients use CSMS_AUTHORIZATION_ADDRESS); port 0 picks a free port.
    authorization_grpc_listen: str = "127.0.0.1:50052"
    # HMAC key of the station password hashes (docs/adr/0003-station-credentials.md). Changing it invalidates
    # every registered password. Empty only in development.
    authorization_password_pepper: SecretStr = SecretStr("")
    # Unique per instance: names the transactional producer of the Authorize handlers.
    authorization_instance_id: str = "authorization-1"
    # OCPP 1.6 Authorize answers ConcurrentTx for a token that already has an active transaction.
    authorization_concurrent_tx: bool = True
    # Local list pushes: stations called at once, and how long each may take to answer.
    local_list_push_concurrency: int = 16
    local_list_call_timeout_s: float = 30.0
    # The token outbox relay (docs/adr/0006): how often it looks for events stored by other instances, and the
    # lease that lets one instance publish (renewed every third of it; another takes over when it expires).
    authorization_outbox_poll_s: float = 1.0
    authorization_outbox_lease_s: int = 15
