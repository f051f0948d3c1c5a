"""api settings: its own `CSMS_API_*` plus the common `CSMS_*` ones and the three peers' gRPC addresses; reads the
environment."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from csms_api.live.config import LiveEventsSettings
from csms_kernel.infra.settings import CommonSettings, peer_address

MAX_KEY_CACHE_S = 2.0
"""A revoked key is refused by every instance within this long (docs/adr/0019-operator-api.md)."""


class ApiSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_API_", extra="ignore", populate_by_name=True)

    host: str = Field(default="127.0.0.1", description="Address the operator HTTP API listens on.")
    port: int = Field(default=8080, description="Port of the operator HTTP API; 0 picks a free port.")
    instance_id: str = Field(default="api-1", description="Unique per instance: names the process in logs and traces.")
    key_cache_s: float = Field(
        default=MAX_KEY_CACHE_S,
        ge=0.0,
        le=MAX_KEY_CACHE_S,
        description="How long a verified API key (or an unknown one) is remembered before it is read again "
        "(seconds, at most 2): a revocation is honoured by every instance within this long.",
    )
    rpc_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline of a gRPC call to a service that does not wait for a station."
    )
    readiness_timeout_s: float = Field(
        default=2.0, gt=0, description="/readyz: how long each dependency may take to answer its check (seconds)."
    )
    shutdown_grace_s: int = Field(
        default=10,
        ge=0,
        description="On SIGTERM, requests in progress get this long to finish before they are cancelled (seconds).",
    )
    cursor_secret: SecretStr = Field(
        default=SecretStr(""),
        description="HMAC key that seals list cursors (every instance needs the same one). Empty: cursors are "
        "only checksummed, so edits are caught but a client could forge one (the services check their page "
        "tokens themselves either way).",
    )
    access_log: bool = Field(default=False, description="Log every HTTP request (uvicorn's access log).")
    events: LiveEventsSettings = Field(
        default_factory=LiveEventsSettings, description="The live events stream (`CSMS_API_EVENTS_*`)."
    )
    device_model_address: str = peer_address("device_model")
    authorization_address: str = peer_address("authorization")
    transactions_address: str = peer_address("transactions")
    security_address: str = peer_address("security")
    firmware_address: str = peer_address("firmware")
    smart_charging_address: str = peer_address("smart_charging")

    def development_secrets(self) -> list[str]:
        empty = not self.cursor_secret.get_secret_value()
        return [*super().development_secrets(), *(["CSMS_API_CURSOR_SECRET is empty"] if empty else [])]
