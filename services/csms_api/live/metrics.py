"""Prometheus metrics of the live events stream (default registry, served with the process's other metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

STREAMS = Gauge("csms_api_events_streams", "Open live event streams (GET /api/v1/events) of this process")
TAIL_RECORDS = Counter(
    "csms_api_events_tail_records", "Records the shared Kafka tail read (including those no client sees)", ["topic"]
)
DELIVERED = Counter("csms_api_events_delivered", "Events written to live event streams")
CATCH_UPS = Counter(
    "csms_api_events_catch_ups", "Streams that read Kafka through a consumer of their own to reach the shared tail"
)
OVERFLOWS = Counter(
    "csms_api_events_overflows", "Streams dropped from the shared tail for falling too far behind (they catch up)"
)
