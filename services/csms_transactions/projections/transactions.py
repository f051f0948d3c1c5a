"""The transactions read models: pure mapping from domain events to CQL writes (no I/O).

Events may arrive in any order and any number of times (redelivery, replay). Every column group is written
with a USING TIMESTAMP that encodes its merge rule, so the rows converge whatever the order:
- "later wins" columns (EVSE, charging state, token, authorization, start and end facts) carry the event's
  order: its seqNo for 2.x, its station time for 1.6;
- `ended` is only ever set to true, and the active index is deleted at `ENDED_AT`, above any order: an ended
  transaction never becomes active again;
- the first / last energy register readings carry the sample time (reversed for the first);
- index rows are keyed by `first_seen_at`, the same in every event of a transaction, so each transaction has
  exactly one entry per index;
- the by-id index, which never changes, is written by the events that write the other indexes and by the first
  event handled of a transaction (the one that occurred at `first_seen_at`, also when redelivered), not by every
  meter value: the same set of writes whatever the order, and found from the transaction's first event on.
`PROJECTION` declares it: group `transactions.projector.transactions`, topic `csms.transactions.events.v1`.
"""

from __future__ import annotations

from datetime import date

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import to_datetime, version_from_proto
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.projection import Projection, each
from csms_kernel.projecting.writes import ENDED_AT, Write, micros
from csms_transactions.domain import meter
from csms_transactions.projections.tables import DAYS_BUCKET, KEYSPACE, TABLES, shard_of

# first_register_wh is written at FIRST_REGISTER_BASE - sample time, so the earliest reading wins.
FIRST_REGISTER_BASE = 2**61


Fact = transactions_pb2.TransactionStarted | transactions_pb2.TransactionUpdated | transactions_pb2.TransactionEnded


_T = "UPDATE {ks}.transactions USING TIMESTAMP ? SET"
_W = "WHERE station_id = ? AND transaction_id = ?"
IDENTITY = f"{_T} ocpp_version = ?, first_seen_at = ? {_W}"
UPDATED_AT = f"{_T} updated_at = ? {_W}"
SEQ_NO = f"{_T} last_seq_no = ? {_W}"
TOKEN = f"{_T} id_token = ?, token_type = ? {_W}"
AUTHORIZATION = f"{_T} authorization_status = ? {_W}"
EVSE = f"{_T} evse_id = ?, connector_id = ? {_W}"
CHARGING_STATE = f"{_T} charging_state = ? {_W}"
STARTED = f"{_T} started_at = ? {_W}"
METER_START = f"{_T} meter_start_wh = ? {_W}"
REMOTE_START = f"{_T} remote_start_id = ? {_W}"
ENDED = f"{_T} ended = true, ended_at = ?, stop_reason = ?, unknown_start = ? {_W}"
METER_STOP = f"{_T} meter_stop_wh = ? {_W}"
FIRST_REGISTER = f"{_T} first_register_wh = ? {_W}"
LAST_REGISTER = f"{_T} last_register_wh = ? {_W}"
BY_ID = "INSERT INTO {ks}.transactions_by_id (transaction_id, station_id) VALUES (?, ?) USING TIMESTAMP 0"
BY_STATION = (
    "INSERT INTO {ks}.transactions_by_station (station_id, first_seen_at, transaction_id) VALUES (?, ?, ?)"
    " USING TIMESTAMP 0"
)
BY_TOKEN = (
    "INSERT INTO {ks}.transactions_by_token (id_token, first_seen_at, station_id, transaction_id)"
    " VALUES (?, ?, ?, ?) USING TIMESTAMP 0"
)
BY_DAY = (
    "INSERT INTO {ks}.transactions_by_day (day, first_seen_at, station_id, transaction_id)"
    " VALUES (?, ?, ?, ?) USING TIMESTAMP 0"
)
DAYS = "INSERT INTO {ks}.transaction_days (bucket, day) VALUES (?, ?) USING TIMESTAMP 0"
ACTIVE = "INSERT INTO {ks}.active_transactions (shard, station_id, transaction_id) VALUES (?, ?, ?) USING TIMESTAMP ?"
INACTIVE = (
    "DELETE FROM {ks}.active_transactions USING TIMESTAMP ? WHERE shard = ? AND station_id = ? AND transaction_id = ?"
)
_SAMPLE_COLUMNS = (
    "sampled_at, measurand, phase, location, context, value, unit, raw_value, raw_unit, raw_multiplier, format,"
    " signed_meter_value"
)
SAMPLE = (
    f"INSERT INTO {{ks}}.meter_samples (station_id, transaction_id, {_SAMPLE_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)
CONNECTOR_SAMPLE = (
    f"INSERT INTO {{ks}}.connector_meter_samples (station_id, day, evse_id, connector_id, {_SAMPLE_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)


def from_event(event: transactions_pb2.TransactionEvent) -> list[Write]:
    which = event.WhichOneof("event")
    if which == "meter_values_reported":
        reported = event.meter_values_reported
        return [_connector_sample(event.station_id, reported, s) for s in reported.meter_values]
    if which is None:
        return []
    return _TransactionWrites(event).writes()


class _TransactionWrites:
    def __init__(self, event: transactions_pb2.TransactionEvent) -> None:
        self.event = event
        self.key = (event.station_id, event.transaction_id)
        self.version = version_from_proto(event.ocpp_version)
        occurred_at = to_datetime(event.occurred_at)
        self.order = micros(occurred_at) if self.version is OcppVersion.V16 else event.seq_no
        self.out = [
            self._set(0, IDENTITY, self.version.subprotocol, to_datetime(event.first_seen_at)),
            self._set(micros(occurred_at), UPDATED_AT, occurred_at),
        ]

    def _set(self, at: int, cql: str, *values: object) -> Write:
        return Write(cql, (at, *values, *self.key))

    def writes(self) -> list[Write]:
        event = self.event
        if self.version is not OcppVersion.V16:
            self.out.append(self._set(event.seq_no, SEQ_NO, event.seq_no))
        if event.HasField("session_id_token"):
            token = event.session_id_token
            self.out.append(self._set(self.order, TOKEN, token.id_token, token.type))
        which = event.WhichOneof("event")
        if which == "started":
            self._started(event.started)
        elif which == "updated":
            self._updated(event.updated)
        else:
            self._ended(event.ended)
        return self.out

    def _started(self, started: transactions_pb2.TransactionStarted) -> None:
        self._common(started)
        self.out.append(self._set(self.order, STARTED, to_datetime(started.started_at)))
        if started.HasField("meter_start_wh"):
            self.out.append(self._set(self.order, METER_START, started.meter_start_wh))
        if started.HasField("remote_start_id"):
            self.out.append(self._set(self.order, REMOTE_START, started.remote_start_id))
        self._index()
        self.out.append(Write(ACTIVE, (shard_of(self.key[0]), *self.key, self.order)))

    def _updated(self, updated: transactions_pb2.TransactionUpdated) -> None:
        self._common(updated)
        if updated.HasField("remote_start_id"):
            self.out.append(self._set(self.order, REMOTE_START, updated.remote_start_id))
        if updated.HasField("id_token"):
            self._index()
        elif self.event.occurred_at == self.event.first_seen_at:
            self.out.append(Write(BY_ID, (self.event.transaction_id, self.event.station_id)))

    def _ended(self, ended: transactions_pb2.TransactionEnded) -> None:
        self._common(ended)
        values = (to_datetime(ended.ended_at), ended.stop_reason, ended.unknown_transaction)
        self.out.append(self._set(self.order, ENDED, *values))
        if ended.HasField("meter_stop_wh"):
            self.out.append(self._set(self.order, METER_STOP, ended.meter_stop_wh))
        self._index()
        self.out.append(Write(INACTIVE, (ENDED_AT, shard_of(self.key[0]), *self.key)))

    def _common(self, fact: Fact) -> None:
        if fact.evse_id > 0:
            self.out.append(self._set(self.order, EVSE, fact.evse_id, fact.connector_id))
        if fact.charging_state:
            self.out.append(self._set(self.order, CHARGING_STATE, fact.charging_state))
        # The decision for the session's token (not for a token presented to stop it).
        if fact.HasField("authorization") and fact.id_token == self.event.session_id_token:
            self.out.append(self._set(self.order, AUTHORIZATION, fact.authorization.status))
        self.out += [_sample(self.key, sample) for sample in fact.meter_values]
        registers = [sample for sample in fact.meter_values if meter.is_energy_register(sample)]
        if registers:
            first = min(registers, key=lambda s: micros(to_datetime(s.sampled_at)))
            last = max(registers, key=lambda s: micros(to_datetime(s.sampled_at)))
            self.out.append(
                self._set(FIRST_REGISTER_BASE - micros(to_datetime(first.sampled_at)), FIRST_REGISTER, first.value)
            )
            self.out.append(self._set(micros(to_datetime(last.sampled_at)), LAST_REGISTER, last.value))

    def _index(self) -> None:
        station_id, transaction_id = self.key
        first_seen_at = to_datetime(self.event.first_seen_at)
        day = first_seen_at.date()
        self.out += [
            Write(BY_ID, (transaction_id, station_id)),
            Write(BY_STATION, (station_id, first_seen_at, transaction_id)),
            Write(BY_DAY, (day, first_seen_at, station_id, transaction_id)),
            Write(DAYS, (DAYS_BUCKET, day)),
        ]
        if self.event.session_id_token.id_token:
            token_key = self.event.session_id_token.id_token.upper()
            self.out.append(Write(BY_TOKEN, (token_key, first_seen_at, station_id, transaction_id)))


def _sample_values(sample: transactions_pb2.SampledValue) -> tuple[object, ...]:
    return (
        to_datetime(sample.sampled_at),
        sample.measurand,
        sample.phase,
        sample.location,
        sample.context,
        sample.value if sample.HasField("value") else None,
        sample.unit,
        sample.raw_value,
        sample.raw_unit,
        sample.raw_multiplier,
        sample.format,
        sample.signed_meter_value_json,
    )


def _sample(key: tuple[str, str], sample: transactions_pb2.SampledValue) -> Write:
    return Write(SAMPLE, (*key, *_sample_values(sample), micros(to_datetime(sample.sampled_at))))


def _connector_sample(
    station_id: str, reported: transactions_pb2.MeterValuesReported, sample: transactions_pb2.SampledValue
) -> Write:
    sampled_at = to_datetime(sample.sampled_at)
    day: date = sampled_at.date()
    params = (station_id, day, reported.evse_id, reported.connector_id, *_sample_values(sample), micros(sampled_at))
    return Write(CONNECTOR_SAMPLE, params)


PROJECTION = Projection(
    name="transactions.projector.transactions",
    event_types={topics.TRANSACTIONS_EVENTS: transactions_pb2.TransactionEvent},
    keyspace=KEYSPACE,
    tables=TABLES,
    writes=each(from_event),
)
