"""The firmware read-model tables: keyspace and names (no I/O). Shared by the projection that writes them and
the adapter that reads them."""

from __future__ import annotations

KEYSPACE = "csms_firmware"
# What a rebuild of the station history truncates.
HISTORY_TABLES = ("station_events",)
