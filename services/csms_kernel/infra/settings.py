"""Settings shared by every process (pydantic-settings; reads the environment).

One naming convention: a common setting is `CSMS_<NAME>` (Kafka, Cassandra, tenant, logging, metrics, runner
tuning); a service's own setting is `CSMS_<SERVICE>_<NAME>` (its settings class sets `env_prefix`); the address
of a peer service is `CSMS_<PEER>_ADDRESS`, declared only by the processes that call that peer (`peer_address`;
a gRPC target that may list every instance of the peer, `csms_kernel.clients.channels`).
Every field has a description: docs/configuration.md is generated from them (python -m csms_devtools.configdoc).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from csms_kernel.infra.client_security import CassandraSecurity, KafkaProtocol, KafkaSecurity, SaslMechanism
from csms_kernel.infra.grpc_tls import GrpcTls

PEER_ADDRESSES = {
    "device_model": "127.0.0.1:50051",
    "authorization": "127.0.0.1:50052",
    "transactions": "127.0.0.1:50053",
    "security": "127.0.0.1:50054",
    "firmware": "127.0.0.1:50055",
    "smart_charging": "127.0.0.1:50056",
}
"""Default gRPC address of each service that other processes call (its default `CSMS_<SERVICE>_GRPC_LISTEN`)."""


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Identities = Annotated[list[str], NoDecode, BeforeValidator(_comma_separated)]
"""A comma-separated list of internal identities (certificate CNs)."""


def common(default: Any, name: str, description: str) -> Any:
    """A field read from `CSMS_<NAME>` whatever the `env_prefix` of the class that declares it."""
    return Field(default, validation_alias=f"CSMS_{name.upper()}", description=description)


def peer_address(peer: str) -> Any:
    """The field of a peer service's gRPC address, read from `CSMS_<PEER>_ADDRESS`."""
    name = peer.replace("_", "-")
    return common(
        PEER_ADDRESSES[peer],
        f"{peer}_address",
        f"Where the {name} gRPC service is reached: a gRPC target naming one instance (`host:port`) or all of "
        "them (`ipv4:10.0.0.1:port,10.0.0.2:port`, or `dns:///host:port` resolving to every instance, e.g. a "
        "Kubernetes headless service); calls go round robin to the instances that answer.",
    )


def device_model_timeout(used_by: str = "") -> Any:
    """The field of the deadline of one SendCommand call to device-model (a service's own setting)."""
    users = f"; used by {used_by}" if used_by else ""
    return Field(default=10.0, gt=0, description=f"Deadline of one SendCommand call to device-model (seconds{users}).")


def grpc_clients(*identities: str) -> Any:
    """The field of the identities allowed to call a process's gRPC service (`CSMS_<SERVICE>_GRPC_CLIENTS`)."""
    return Field(
        default_factory=lambda: list(identities),
        description="Identities (internal certificate CNs) allowed to call this process's gRPC service when gRPC "
        "runs over mutual TLS; any other caller gets PERMISSION_DENIED (docs/adr/0029-internal-surface.md).",
    )


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore", populate_by_name=True)

    kafka_bootstrap: str = common("127.0.0.1:9092", "kafka_bootstrap", "Kafka bootstrap servers (host:port,...).")
    cassandra_contact_points: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1"],
        validation_alias="CSMS_CASSANDRA_CONTACT_POINTS",
        description="Cassandra contact points, comma-separated hosts.",
    )
    kafka_security_protocol: KafkaProtocol = common(
        "PLAINTEXT",
        "kafka_security_protocol",
        'How the Kafka clients connect: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (README "Secured Kafka '
        'and Cassandra").',
    )
    kafka_sasl_mechanism: SaslMechanism = common(
        "PLAIN", "kafka_sasl_mechanism", "SASL mechanism (SASL_*): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512."
    )
    kafka_sasl_username: str = common("", "kafka_sasl_username", "SASL user name (SASL_*).")
    kafka_sasl_password: SecretStr = common(SecretStr(""), "kafka_sasl_password", "SASL password (SASL_*).")
    kafka_tls_ca_file: Path | None = common(
        None,
        "kafka_tls_ca_file",
        "CA (PEM) the brokers' certificates must chain to (SSL, SASL_SSL); unset: the "
        "system's CAs. Broker host names are checked.",
    )
    kafka_tls_cert_file: Path | None = common(
        None, "kafka_tls_cert_file", "Client certificate (PEM) presented to the brokers (SSL, SASL_SSL), if any."
    )
    kafka_tls_key_file: Path | None = common(None, "kafka_tls_key_file", "The key (PEM) of that client certificate.")
    cassandra_port: int = common(9042, "cassandra_port", "Cassandra native protocol port.")
    cassandra_username: str = common(
        "", "cassandra_username", "Cassandra user (PasswordAuthenticator); empty: no authentication."
    )
    cassandra_password: SecretStr = common(SecretStr(""), "cassandra_password", "That user's password.")
    cassandra_tls_ca_file: Path | None = common(
        None, "cassandra_tls_ca_file", "CA (PEM) the nodes' certificates must chain to; set: the driver uses TLS."
    )
    cassandra_tls_cert_file: Path | None = common(
        None, "cassandra_tls_cert_file", "Client certificate (PEM) presented to the nodes (TLS), if any."
    )
    cassandra_tls_key_file: Path | None = common(
        None, "cassandra_tls_key_file", "The key (PEM) of that client certificate."
    )
    cassandra_tls_check_hostname: bool = common(
        True, "cassandra_tls_check_hostname", "TLS: the node's certificate must name the address it is reached at."
    )
    cassandra_local_dc: str = common(
        "datacenter1", "cassandra_local_dc", "Cassandra data center the driver routes requests to."
    )
    environment: Literal["development", "production"] = common(
        "development",
        "environment",
        "`production` refuses to start with development secrets: empty password pepper or API cursor secret, a "
        "certificate of the development PKI, gRPC without TLS, ... (docs/adr/0029-internal-surface.md).",
    )
    grpc_tls_ca_file: Path | None = common(
        None,
        "grpc_tls_ca_file",
        "Internal CA (PEM) of gRPC mutual TLS: peers' certificates must chain to it. Unset (with the certificate "
        "and key): gRPC runs without TLS, refused in production.",
    )
    grpc_tls_cert_file: Path | None = common(
        None,
        "grpc_tls_cert_file",
        "This process's internal certificate (PEM, CN = its identity: edge, device-model, authorization, "
        "transactions, security, api, cli), presented as server and as client.",
    )
    grpc_tls_key_file: Path | None = common(None, "grpc_tls_key_file", "The private key (PEM) of that certificate.")
    grpc_tls_server_name: str = common(
        "",
        "grpc_tls_server_name",
        "Name the servers' certificates are checked against instead of the target's host (e.g. `localhost` for "
        "the development PKI, or when targets list IP addresses). Empty: the target's host.",
    )
    tenant: str = common("default", "tenant", "Tenant recorded in every envelope.")
    log_level: str = common("INFO", "log_level", "Python logging level of the process.")
    metrics_port: int = common(0, "metrics_port", "Prometheus /metrics port of the process; 0: no metrics endpoint.")
    metrics_host: str = common(
        "127.0.0.1",
        "metrics_host",
        "Address the Prometheus /metrics endpoint listens on (loopback by default; `0.0.0.0` to let a scraper on "
        "another host in).",
    )
    handler_transaction_interval_s: float = common(
        0.008,
        "handler_transaction_interval_s",
        "A call runner starts a Kafka transaction at most this often (seconds); under load one transaction "
        "carries several CALLs' replies, at the price of up to this much latency.",
    )
    handler_gather_ms: int = common(
        0,
        "handler_gather_ms",
        "Call runners fetch their call topic in batches gathered for up to this long (milliseconds; 0: a fetch "
        "returns at the first record and waits up to 500 ms when there is none). Above 0 every call runner "
        "fetches that often even when idle: 5 ms cost Kafka ~0.13 core on an idle 6-service stack (docs/adr/0046).",
    )
    projection_gather_ms: int = common(
        100,
        "projection_gather_ms",
        "Projections read their topics in batches gathered for up to this long (milliseconds): read models lag "
        "by up to this much, in exchange for far fewer Kafka requests.",
    )

    @field_validator("cassandra_contact_points", mode="before")
    @classmethod
    def _split_contact_points(cls, value: object) -> object:
        return _comma_separated(value)

    @model_validator(mode="after")
    def _grpc_tls_complete(self) -> CommonSettings:
        files = (self.grpc_tls_ca_file, self.grpc_tls_cert_file, self.grpc_tls_key_file)
        if any(files) and not all(files):
            raise ValueError("CSMS_GRPC_TLS_CA_FILE, _CERT_FILE and _KEY_FILE are set together or not at all")
        return self

    def development_secrets(self) -> list[str]:
        """This process's own settings that production refuses (csms_kernel.infra.production); a settings class
        with such secrets extends it."""
        return []

    @property
    def kafka_security(self) -> KafkaSecurity:
        """Credentials and TLS of every Kafka client of the process."""
        return KafkaSecurity(
            self.kafka_security_protocol,
            self.kafka_sasl_mechanism,
            self.kafka_sasl_username,
            self.kafka_sasl_password.get_secret_value(),
            self.kafka_tls_ca_file,
            self.kafka_tls_cert_file,
            self.kafka_tls_key_file,
        )

    @property
    def cassandra_security(self) -> CassandraSecurity:
        """Credentials and TLS of the process's Cassandra sessions."""
        return CassandraSecurity(
            self.cassandra_username,
            self.cassandra_password.get_secret_value(),
            self.cassandra_tls_ca_file,
            self.cassandra_tls_cert_file,
            self.cassandra_tls_key_file,
            self.cassandra_tls_check_hostname,
        )

    @property
    def grpc_tls(self) -> GrpcTls | None:
        """The mutual TLS of every gRPC server and channel of the process; None: insecure (development only)."""
        if self.grpc_tls_ca_file is None or self.grpc_tls_cert_file is None or self.grpc_tls_key_file is None:
            return None
        return GrpcTls(
            self.grpc_tls_ca_file, self.grpc_tls_cert_file, self.grpc_tls_key_file, self.grpc_tls_server_name
        )
