"""Settings of the live events stream (`GET /api/v1/events`), read from `CSMS_API_EVENTS_*`; the API's settings
embed them. No side effects beyond reading the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LiveEventsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_API_EVENTS_", extra="ignore")

    ring_events: int = Field(
        default=10_000,
        ge=0,
        description="Recent events the shared Kafka tail keeps: a client resuming from a position no older than "
        "these is served from memory; an older one first catches up through a Kafka consumer of its own.",
    )
    subscriber_queue_events: int = Field(
        default=5_000,
        ge=1,
        description="Events queued for one client at most; a client that falls further behind leaves the "
        "shared tail and catches up through a consumer of its own, without gap or repeat.",
    )
    max_catch_ups: int = Field(
        default=16,
        ge=1,
        description="Clients catching up through their own Kafka consumer at the same time, per API process; "
        "others wait (with keepalives) for a free slot.",
    )
    heartbeat_s: float = Field(
        default=15.0,
        gt=0,
        description="A `: keepalive` comment is sent after this many seconds without an event (seconds).",
    )
    group_cache_s: float = Field(
        default=30.0,
        ge=0,
        description="How long a station's group, looked up for `?group=` filters, is reused (seconds).",
    )
    group_cache_size: int = Field(default=100_000, ge=1, description="Stations whose group is kept in memory at most.")
    partitions_refresh_s: float = Field(
        default=60.0,
        gt=0,
        description="How often the shared tail looks for partitions added to the source topics (seconds).",
    )
    gather_ms: int = Field(
        default=100,
        ge=0,
        description="The shared tail's Kafka fetches gather records for up to this long (milliseconds; 0: a fetch "
        "returns at the first record, and an idle tail long-polls 500 ms): events reach clients up to this much "
        "later, for far fewer fetches under a steady flow (the frame log's above all) and when idle.",
    )
    connection_events: bool = Field(
        default=True,
        description="Stream station.connected/disconnected: the shared tail then reads every record of "
        "ocpp.frames.v1 (filtered by header, not decoded); false leaves that topic out.",
    )
