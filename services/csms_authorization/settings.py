"""authorization settings: its own `CSMS_AUTHORIZATION_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import (
    PEER_ADDRESSES,
    CommonSettings,
    Identities,
    device_model_timeout,
    grpc_clients,
    peer_address,
)


class AuthorizationSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_AUTHORIZATION_", extra="ignore", populate_by_name=True)

    grpc_listen: str = Field(
        default=PEER_ADDRESSES["authorization"],
        description="Where AuthorizationService listens; port 0 picks a free port.",
    )
    grpc_clients: Identities = grpc_clients("edge", "device-model", "transactions", "security", "api", "cli")
    instance_id: str = Field(
        default="authorization-1",
        description="Unique per instance: names its Kafka clients and transactional producer.",
    )
    password_pepper: SecretStr = Field(
        default=SecretStr(""),
        description="HMAC key of the station password hashes (docs/adr/0003-station-credentials.md); changing it "
        "invalidates every registered password. Empty only in development.",
    )
    concurrent_tx: bool = Field(
        default=True,
        description="OCPP 1.6 Authorize answers ConcurrentTx for a token that already has an active transaction.",
    )
    local_list_push_concurrency: int = Field(default=16, description="Local list pushes: stations called at once.")
    local_list_call_timeout_s: float = Field(
        default=30.0, description="Local list pushes: how long each station may take to answer (seconds)."
    )
    outbox_poll_s: float = Field(
        default=1.0,
        description="How often the token outbox relay looks for events stored by other instances (docs/adr/0006).",
    )
    outbox_lease_s: int = Field(
        default=15,
        description="The lease that lets one instance publish an outbox (renewed every third of it; "
        "another instance takes over when it expires).",
    )
    station_outbox_poll_s: float = Field(
        default=0.2,
        description="How often the station outbox relay looks for credential changes stored by other instances: "
        "bounds how late the edge nodes close a disabled station's connection (docs/adr/0021).",
    )
    device_model_address: str = peer_address("device_model")
    device_model_timeout_s: float = device_model_timeout("reservations")
    reservation_answer_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Reservations: how long a station may take to answer ReserveNow / CancelReservation when the "
        "request names no timeout (seconds; the reservation is Refused without an answer).",
    )
    contract_provider_url: str = Field(
        default="",
        description="Plug & Charge: the contract-certificate provider Get15118EVCertificate is forwarded to (HTTP "
        "POST, JSON; protocol in docs/adr/0028). Empty: those requests answer Failed (NoProvider).",
    )
    contract_provider_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Plug & Charge: how long the contract-certificate provider may take before the station gets "
        "Failed (seconds; the handler holds its call runner batch meanwhile).",
    )
    ocsp_responder_allowlist: list[str] = Field(
        default_factory=list,
        description="Plug & Charge: the OCSP responders a station's GetCertificateStatus may make the CSMS "
        "contact, as URL prefixes (scheme, host, port, path prefix), JSON list. A responderURL outside it is never "
        "contacted (SSRF); the default responder is asked instead.",
    )
    ocsp_default_responder_url: str = Field(
        default="",
        description="Plug & Charge: the OCSP responder asked when the station's responderURL is not allowed. "
        "Empty: such requests answer Failed (ResponderNotAllowed).",
    )
    ocsp_timeout_s: float = Field(
        default=5.0, gt=0, description="Plug & Charge: how long an OCSP responder may take (seconds)."
    )

    def development_secrets(self) -> list[str]:
        empty = not self.password_pepper.get_secret_value()
        return [*super().development_secrets(), *(["CSMS_AUTHORIZATION_PASSWORD_PEPPER is empty"] if empty else [])]
