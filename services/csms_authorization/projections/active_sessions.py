"""Active sessions per token, projected from the transactions service's events (for 1.6 ConcurrentTx; no I/O).

`session_writes` maps one `csms.transactions.v1.TransactionEvent` to CQL writes: a transaction started or
updated is active for its session token; an ended one is not, for good. Starts and updates carry USING TIMESTAMP =
the event's station time; the end deletes at `ENDED_AT`, above any event time, so replays and out-of-order
delivery converge and a station clock that jumps backwards (or a start dated in the future) cannot leave the
token active forever (finding #8 of the 2026-12 security review; the transactions projection's rule).
`PROJECTION` declares it: group `authorization.projector.active_sessions`, topic `csms.transactions.events.v1`,
table `active_sessions` (read by `adapters.active_sessions`); the same projector also reads
`csms.device_model.events.v1` for the reservations made through device-model (`projections.reservations`, table
`reservations`, docs/adr/0043).
"""

from __future__ import annotations

from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms.transactions.v1 import transactions_pb2
from csms_authorization.domain.tokens import token_key
from csms_authorization.projections.reservations import reservation_writes, used_writes
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.projecting.projection import Projection, each
from csms_kernel.projecting.writes import ENDED_AT, Write, micros

_ACTIVE = "INSERT INTO {ks}.active_sessions (token_key, station_id, transaction_id) VALUES (?, ?, ?) USING TIMESTAMP ?"
_ENDED = (
    "DELETE FROM {ks}.active_sessions USING TIMESTAMP ? WHERE token_key = ? AND station_id = ? AND transaction_id = ?"
)


def session_writes(event: transactions_pb2.TransactionEvent) -> list[Write]:
    which = event.WhichOneof("event")
    if which not in ("started", "updated", "ended") or not event.session_id_token.id_token:
        return []
    key = token_key(event.session_id_token.id_token)
    if which == "ended":
        return [Write(_ENDED, (ENDED_AT, key, event.station_id, event.transaction_id))]
    at = micros(to_datetime(event.occurred_at))
    return [Write(_ACTIVE, (key, event.station_id, event.transaction_id, at))]


def event_writes(event: Message) -> list[Write]:
    if isinstance(event, device_model_pb2.DeviceModelEvent):
        return reservation_writes(event)
    assert isinstance(event, transactions_pb2.TransactionEvent)
    return session_writes(event) + used_writes(event)


PROJECTION: Projection[Message, None] = Projection(
    name="authorization.projector.active_sessions",
    event_types={
        topics.TRANSACTIONS_EVENTS: transactions_pb2.TransactionEvent,
        topics.DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent,
    },
    keyspace="csms_authorization",
    tables=("active_sessions", "reservations"),
    writes=each(event_writes),
)
