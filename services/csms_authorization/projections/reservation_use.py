"""A session start that names no reservation but was admitted by one ends it (docs/adr/0043): `PROJECTION` (group
`authorization.projector.reservation_use`, topic `csms.transactions.events.v1`) reads, through `ReservationsRead`,
the reservations of the stations whose batch starts name no reservation id, and `use_writes` sets Used on the
active reservation holding the start's EVSE that admits its token (or its group) at the start's time, at that time
(USING TIMESTAMP, like the projector's Used of a start that names its reservation). At-least-once and idempotent: a
redelivered start finds the reservation Used already (no longer active) and writes nothing. It owns no table
(a rebuild truncates nothing; `reservations` belongs to the active sessions projector). The read is its only I/O.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from csms.transactions.v1 import transactions_pb2
from csms_authorization.domain.reservations import Reservation, ReservationStatus, used_by
from csms_authorization.ports import ReservationStore
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write, micros

Reservations = dict[str, list[Reservation]]
"""Station id → its reservations, as read before the batch's writes."""

_USED = "UPDATE {ks}.reservations USING TIMESTAMP ? SET status = ? WHERE station_id = ? AND reservation_id = ?"


def _unnamed_start(event: transactions_pb2.TransactionEvent) -> bool:
    return (
        event.WhichOneof("event") == "started"
        and not event.started.HasField("reservation_id")
        and bool(event.started.id_token.id_token)
        and event.started.authorization.status in ("", "Accepted")
    )


def _started_at(event: transactions_pb2.TransactionEvent) -> datetime:
    started = event.started
    return to_datetime(started.started_at if started.HasField("started_at") else event.occurred_at)


class ReservationsRead:
    """The projection's current-state step: the reservations of the stations a batch's unnamed starts are on."""

    def __init__(self, store: ReservationStore) -> None:
        self._store = store

    async def read(self, events: Sequence[transactions_pb2.TransactionEvent]) -> Reservations:
        ids = sorted({event.station_id for event in events if _unnamed_start(event)})
        found = await asyncio.gather(*(self._store.of_station(station_id) for station_id in ids))
        return dict(zip(ids, found, strict=True))

    def applied(self, events: Sequence[transactions_pb2.TransactionEvent], state: Reservations) -> None:
        return None


def use_writes(events: Sequence[transactions_pb2.TransactionEvent], state: Reservations) -> list[Write]:
    writes = []
    used: set[tuple[str, int]] = set()
    for event in events:
        if not _unnamed_start(event):
            continue
        started = event.started
        at = _started_at(event)
        free = [r for r in state.get(event.station_id, []) if (r.station_id, r.reservation_id) not in used]
        group = started.authorization.group_id_token or None
        reservation = used_by(free, started.evse_id, started.id_token.id_token, group, at)
        if reservation is None:
            continue
        used.add((reservation.station_id, reservation.reservation_id))
        values = (micros(at), ReservationStatus.USED.value, reservation.station_id, reservation.reservation_id)
        writes.append(Write(_USED, values))
    return writes


PROJECTION = Projection[transactions_pb2.TransactionEvent, Reservations](
    name="authorization.projector.reservation_use",
    event_types={topics.TRANSACTIONS_EVENTS: transactions_pb2.TransactionEvent},
    keyspace="csms_authorization",
    tables=(),
    writes=use_writes,
)
