"""The transactions read-model tables: keyspace, names and layout (no I/O).

Shared by the projection that writes them and the repository that reads them.
"""

from __future__ import annotations

import zlib

KEYSPACE = "csms_transactions"
# What a rebuild truncates.
TABLES = (
    "transactions",
    "transactions_by_id",
    "transactions_by_station",
    "transactions_by_token",
    "transactions_by_day",
    "transaction_days",
    "active_transactions",
    "meter_samples",
    "connector_meter_samples",
)
ACTIVE_SHARDS = 16
DAYS_BUCKET = 0


def shard_of(station_id: str) -> int:
    """The partition of `active_transactions` that holds this station's entries."""
    return zlib.crc32(station_id.encode()) % ACTIVE_SHARDS
