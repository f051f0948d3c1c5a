"""security settings: its own `CSMS_SECURITY_*` plus the common `CSMS_*` ones; reads the environment."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from csms_kernel.infra.settings import PEER_ADDRESSES, CommonSettings, Identities, grpc_clients, peer_address


class SecuritySettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_SECURITY_", extra="ignore", populate_by_name=True)

    grpc_listen: str = Field(
        default=PEER_ADDRESSES["security"], description="Where SecurityService listens; port 0 picks a free port."
    )
    grpc_clients: Identities = grpc_clients("api", "cli")
    instance_id: str = Field(
        default="security-1", description="Unique per instance: names its Kafka clients and transactional producer."
    )
    station_ca_cert_file: str = Field(
        default="",
        description="PEM file of the station CA certificate that signs station certificates (SignCertificate); "
        "empty: no station CA, every SignCertificate is answered Rejected.",
    )
    station_ca_key_file: str = Field(
        default="", description="PEM file of the station CA's private key (unencrypted PKCS#8 or traditional)."
    )
    station_ca_key_pem: SecretStr = Field(
        default=SecretStr(""),
        description="The station CA's private key as PEM text, instead of `station_ca_key_file` (e.g. from a "
        "secret store); never logged.",
    )
    v2g_ca_cert_file: str = Field(
        default="",
        description="PEM file of a CA that signs V2G (ISO 15118) certificates; empty: SignCertificate for a "
        "V2GCertificate is answered Rejected (docs/adr/0026-security-service.md).",
    )
    v2g_ca_key_file: str = Field(default="", description="PEM file of the V2G signing CA's private key.")
    certificate_days: float = Field(
        default=365.0, gt=0, description="Validity of a station certificate the CA issues (days; fractions allowed)."
    )
    renew_before_days: float = Field(
        default=30.0,
        ge=0,
        description="Ask a station to renew its ChargingStationCertificate this long before it expires (days).",
    )
    renew_retry_s: float = Field(
        default=86400.0,
        gt=0,
        description="Ask a station whose certificate is due again after this long if no new one was issued (s).",
    )
    renewal_interval_s: float = Field(
        default=60.0, gt=0, description="How often the renewal sweep looks at the issued certificates (seconds)."
    )
    signer_poll_s: float = Field(
        default=1.0, gt=0, description="How often the certificate signer looks for accepted requests (seconds)."
    )
    command_expiry_s: float = Field(
        default=86400.0,
        gt=0,
        description="A certificate-signed or renewal command for an offline station is kept this long (seconds).",
    )
    device_model_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline of one SendCommand call to device-model (seconds)."
    )
    device_model_address: str = peer_address("device_model")
