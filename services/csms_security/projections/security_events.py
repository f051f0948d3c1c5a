"""The security event log: pure mapping from `SecurityEventRecorded` (station and CSMS events) to CQL writes.

Each event is stored per station and per day (UTC, of the CSMS's `recorded_at`), keyed by (recorded_at,
event_id): a record delivered again, or published twice (CSMS events are published at least once), carries the
same id and time and rewrites the same rows, so the log holds every event once. An event without a station (a
client certificate refused during the TLS handshake) is kept per day only. Every write carries USING
TIMESTAMP = recorded_at. `PROJECTION` declares it: group `security.projector.events`, topic
`csms.security.events.v1`.
"""

from __future__ import annotations

from csms.security.v1 import security_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.projecting.projection import Projection, each
from csms_kernel.projecting.writes import Write, micros
from csms_kernel.security.events import TOPIC
from csms_security.projections.tables import DAYS_BUCKET, EVENT_TABLES, KEYSPACE, day_of

BY_STATION = (
    "INSERT INTO {ks}.events_by_station (station_id, recorded_at, event_id, event) VALUES (?, ?, ?, ?)"
    " USING TIMESTAMP ?"
)
BY_DAY = (
    "INSERT INTO {ks}.events_by_day (day, recorded_at, station_id, event_id, event) VALUES (?, ?, ?, ?, ?)"
    " USING TIMESTAMP ?"
)
DAYS = "INSERT INTO {ks}.event_days (bucket, day) VALUES (?, ?) USING TIMESTAMP 0"


def event_writes(record: security_pb2.SecurityEventRecorded) -> list[Write]:
    event = record.event
    if not event.event_id:
        raise ValueError("security event without an event_id")
    recorded_at = to_datetime(event.recorded_at)
    at = micros(recorded_at)
    blob = event.SerializeToString(deterministic=True)
    day = day_of(recorded_at)
    by_station = [Write(BY_STATION, (event.station_id, recorded_at, event.event_id, blob, at))]
    return [
        # A TLS refusal happens before the station names itself: that event is in the daily log only.
        *(by_station if event.station_id else []),
        Write(BY_DAY, (day, recorded_at, event.station_id, event.event_id, blob, at)),
        Write(DAYS, (DAYS_BUCKET, day)),
    ]


PROJECTION: Projection[security_pb2.SecurityEventRecorded, None] = Projection(
    name="security.projector.events",
    event_types={TOPIC: security_pb2.SecurityEventRecorded},
    keyspace=KEYSPACE,
    tables=EVENT_TABLES,
    writes=each(event_writes),
)
