"""authorization settings (`CSMS_AUTHORIZATION_*` plus the common `CSMS_*` ones); reads the environment."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from csms.settings import CommonSettings


class AuthorizationSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore")

    # Where AuthorizationService listens (clients use CSMS_AUTHORIZATION_ADDRESS); port 0 picks a free port.
    authorization_grpc_listen: str = "127.0.0.1:50052"
    # HMAC key of the station password hashes (docs/adr/0003-station-credentials.md). Changing it invalidates
    # every registered password. Empty only in development.
    authorization_password_pepper: SecretStr = SecretStr("")
