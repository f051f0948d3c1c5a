"""Settings of the `csms` command: the common `CSMS_*` ones plus the address of every service it calls, and its
gRPC mutual TLS files (`CSMS_CLI_GRPC_TLS_*`, else the common `CSMS_GRPC_TLS_*`; outside production, with
neither set, the `cli` certificate of the development PKI that `make run` creates, so `csms` just works against
it). Reads the environment (and whether the development certificate exists)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, model_validator

from csms_kernel.infra.settings import CommonSettings, peer_address

DEVELOPMENT_PKI = Path(__file__).resolve().parents[2] / ".infra" / "pki"
"""Where `make run` keeps the development PKI (csms_kernel.pki.dev; the stack's `pki_dir`)."""
IDENTITY = "cli"


def _tls_file(name: str, description: str) -> Path | None:
    return Field(
        default=None,
        validation_alias=AliasChoices(f"CSMS_CLI_GRPC_TLS_{name}", f"CSMS_GRPC_TLS_{name}"),
        description=description,
    )


class CliSettings(CommonSettings):
    device_model_address: str = peer_address("device_model")
    authorization_address: str = peer_address("authorization")
    transactions_address: str = peer_address("transactions")
    security_address: str = peer_address("security")
    firmware_address: str = peer_address("firmware")
    smart_charging_address: str = peer_address("smart_charging")
    grpc_tls_ca_file: Path | None = _tls_file(
        "CA_FILE",
        "Internal CA (PEM) the services' certificates must chain to (`CSMS_CLI_GRPC_TLS_CA_FILE`, else "
        "`CSMS_GRPC_TLS_CA_FILE`). With no CLI TLS file set, outside production: the development PKI of "
        "`make run` (.infra/pki) when it exists.",
    )
    grpc_tls_cert_file: Path | None = _tls_file(
        "CERT_FILE", "The CLI's certificate (PEM, CN `cli`) (`CSMS_CLI_GRPC_TLS_CERT_FILE`, else the common one)."
    )
    grpc_tls_key_file: Path | None = _tls_file(
        "KEY_FILE", "The key of that certificate (`CSMS_CLI_GRPC_TLS_KEY_FILE`, else the common one)."
    )
    grpc_tls_server_name: str = Field(
        default="",
        validation_alias=AliasChoices("CSMS_CLI_GRPC_TLS_SERVER_NAME", "CSMS_GRPC_TLS_SERVER_NAME"),
        description="Name the services' certificates are checked against instead of the target's host "
        "(`localhost` with the development PKI).",
    )

    @model_validator(mode="after")
    def _development_pki(self) -> CliSettings:
        certificate = DEVELOPMENT_PKI / "internal" / f"{IDENTITY}.pem"
        unset = not (self.grpc_tls_ca_file or self.grpc_tls_cert_file or self.grpc_tls_key_file)
        if unset and self.environment == "development" and certificate.exists():
            self.grpc_tls_ca_file = DEVELOPMENT_PKI / "internal-ca.pem"
            self.grpc_tls_cert_file = certificate
            self.grpc_tls_key_file = certificate.with_suffix(".key")
            self.grpc_tls_server_name = self.grpc_tls_server_name or "localhost"
        return self
