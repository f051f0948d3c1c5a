"""Settings shared by every process, read from `CSMS_*` environment variables (pydantic-settings)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    cassandra_contact_points: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1"])
    cassandra_port: int = 9042
    cassandra_local_dc: str = "datacenter1"
    tenant: str = "default"
    device_model_address: str = "127.0.0.1:50051"
    authorization_address: str = "127.0.0.1:50052"
    transactions_address: str = "127.0.0.1:50053"
    log_level: str = "INFO"
    # Prometheus /metrics port of the process (CSMS_METRICS_PORT); 0 = no metrics endpoint.
    metrics_port: int = 0
    # A service's call runner starts a Kafka transaction at most this often (seconds); under load one then
    # carries several CALLs' replies, at the price of up to this much latency.
    handler_transaction_interval_s: float = 0.008
    # Call runners read the frame log in batches gathered for up to this long (milliseconds; 0: a fetch returns
    # at the first record): fewer Kafka requests under load (A/B at 500 CALL/s: p99 200-236 ms instead of
    # 259-332), but an idle stack then polls: ~8 % of a core per service and ~9 % in Kafka (0 for idle boxes).
    handler_gather_ms: int = 5
    # Projections read their topics in batches gathered for up to this long (milliseconds): read models lag by
    # up to this much, in exchange for far fewer Kafka requests.
    projection_gather_ms: int = 100

    @field_validator("cassandra_contact_points", mode="before")
    @classmethod
    def _split_contact_points(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
