"""The smart-charging read-model tables: keyspace and names (no I/O). Shared by the projection that writes them
and the adapters that read them."""

from __future__ import annotations

KEYSPACE = "csms_smart_charging"
# What a rebuild of the station profile view truncates.
VIEW_TABLES = ("station_events",)
