"""Settings shared by every process (pydantic-settings; reads the environment).

One naming convention: a common setting is `CSMS_<NAME>` (Kafka, Cassandra, tenant, logging, metrics, runner
tuning); a service's own setting is `CSMS_<SERVICE>_<NAME>` (its settings class sets `env_prefix`); the address
of a peer service is `CSMS_<PEER>_ADDRESS`, declared only by the processes that call that peer (`peer_address`;
a gRPC target that may list every instance of the peer, `csms_kernel.clients.channels`).
Every field has a description: docs/configuration.md is generated from them (python -m csms_devtools.configdoc).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PEER_ADDRESSES = {
    "device_model": "127.0.0.1:50051",
    "authorization": "127.0.0.1:50052",
    "transactions": "127.0.0.1:50053",
    "security": "127.0.0.1:50054",
}
"""Default gRPC address of each service that other processes call (its default `CSMS_<SERVICE>_GRPC_LISTEN`)."""


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


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore", populate_by_name=True)

    kafka_bootstrap: str = common("127.0.0.1:9092", "kafka_bootstrap", "Kafka bootstrap servers (host:port,...).")
    cassandra_contact_points: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1"],
        validation_alias="CSMS_CASSANDRA_CONTACT_POINTS",
        description="Cassandra contact points, comma-separated hosts.",
    )
    cassandra_port: int = common(9042, "cassandra_port", "Cassandra native protocol port.")
    cassandra_local_dc: str = common(
        "datacenter1", "cassandra_local_dc", "Cassandra data center the driver routes requests to."
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
        5,
        "handler_gather_ms",
        "Call runners read the frame log in batches gathered for up to this long (milliseconds; 0: a fetch "
        "returns at the first record). Fewer Kafka requests under load, but an idle stack then polls "
        "(docs/adr/0008-performance.md).",
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
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
