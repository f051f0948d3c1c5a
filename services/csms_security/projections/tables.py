"""The security read-model tables: keyspace, names and layout (no I/O). Shared by the projection that writes the
event log and the adapters that read it."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

KEYSPACE = "csms_security"
# What a rebuild of the event log truncates.
EVENT_TABLES = ("events_by_station", "events_by_day", "event_days")
DAYS_BUCKET = 0
SHARDS = 8


def day_of(moment: datetime) -> int:
    """The time bucket of `events_by_day`: days since 1970 (UTC)."""
    return (moment.astimezone(UTC).date() - datetime(1970, 1, 1, tzinfo=UTC).date()).days


def shard_of(station_id: str) -> int:
    """The partition of the sharded tables (pending requests, renewals) that holds this station's rows."""
    return zlib.crc32(station_id.encode()) % SHARDS
