"""The transactions projection: events → CQL writes (pure), and its declaration."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from aiokafka import ConsumerRecord

from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2 as pb
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.projection import UndecodableRecordError, decode
from csms_kernel.projecting.writes import ENDED_AT, Write, micros
from csms_transactions.projections import transactions as projection
from csms_transactions.projections.tables import TABLES, shard_of
from csms_transactions.projections.transactions import FIRST_REGISTER_BASE, PROJECTION, from_event

T10 = datetime(2026, 11, 21, 10, tzinfo=UTC)
T11 = datetime(2026, 11, 21, 11, tzinfo=UTC)
KEY = ("CS-1", "1001")
TAG = pb.IdToken(id_token="tag-1")


def envelope(**fields: object) -> pb.TransactionEvent:
    return pb.TransactionEvent(
        station_id="CS-1",
        transaction_id="1001",
        message_id="m1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        first_seen_at=timestamp(T10),
        session_id_token=TAG,
        **fields,  # type: ignore[arg-type]
    )


def register(wh: float, when: datetime) -> pb.SampledValue:
    return pb.SampledValue(
        sampled_at=timestamp(when), measurand="Energy.Active.Import.Register", location="Outlet", value=wh, unit="Wh"
    )


def index_writes() -> list[Write]:
    return [
        Write(projection.BY_ID, ("1001", "CS-1")),
        Write(projection.BY_STATION, ("CS-1", T10, "1001")),
        Write(projection.BY_DAY, (date(2026, 11, 21), T10, "CS-1", "1001")),
        Write(projection.DAYS, (0, date(2026, 11, 21))),
        Write(projection.BY_TOKEN, ("TAG-1", T10, "CS-1", "1001")),
    ]


def test_a_1_6_start_writes_the_row_its_indexes_and_the_active_entry_at_station_time() -> None:
    order = micros(T10)
    started = pb.TransactionStarted(
        evse_id=1,
        connector_id=1,
        id_token=TAG,
        authorization=pb.AuthorizationDecision(status="Accepted"),
        started_at=timestamp(T10),
        meter_start_wh=1000,
    )
    writes = from_event(envelope(occurred_at=timestamp(T10), started=started))
    assert writes == [
        Write(projection.IDENTITY, (0, "ocpp1.6", T10, *KEY)),
        Write(projection.UPDATED_AT, (order, T10, *KEY)),
        Write(projection.TOKEN, (order, "tag-1", "", *KEY)),
        Write(projection.EVSE, (order, 1, 1, *KEY)),
        Write(projection.AUTHORIZATION, (order, "Accepted", *KEY)),
        Write(projection.STARTED, (order, T10, *KEY)),
        Write(projection.METER_START, (order, 1000.0, *KEY)),
        *index_writes(),
        Write(projection.ACTIVE, (shard_of("CS-1"), *KEY, order)),
    ]
    assert all("{ks}." in write.cql for write in writes)


def test_a_2_x_end_is_ordered_by_seq_no_sets_ended_and_removes_the_active_entry_above_any_order() -> None:
    ended = pb.TransactionEnded(
        ended_at=timestamp(T11),
        meter_stop_wh=9000,
        stop_reason="Local",
        charging_state="Idle",
        meter_values=[register(8000, T10), register(9000, T11)],
    )
    event = envelope(occurred_at=timestamp(T11), seq_no=5, ended=ended)
    event.ocpp_version = envelope_pb2.OCPP_VERSION_201
    writes = from_event(event)
    assert Write(projection.SEQ_NO, (5, 5, *KEY)) in writes
    assert Write(projection.CHARGING_STATE, (5, "Idle", *KEY)) in writes
    assert Write(projection.ENDED, (5, T11, "Local", False, *KEY)) in writes
    assert Write(projection.METER_STOP, (5, 9000.0, *KEY)) in writes
    assert Write(projection.FIRST_REGISTER, (FIRST_REGISTER_BASE - micros(T10), 8000.0, *KEY)) in writes
    assert Write(projection.LAST_REGISTER, (micros(T11), 9000.0, *KEY)) in writes
    assert writes[-1] == Write(projection.INACTIVE, (ENDED_AT, shard_of("CS-1"), *KEY))
    assert next(w for w in writes if w.cql == projection.SAMPLE).params[:3] == ("CS-1", "1001", T10)


def test_an_update_without_a_token_touches_no_index_and_a_stop_token_no_authorization() -> None:
    stop_token = pb.IdToken(id_token="OTHER")
    updated = pb.TransactionUpdated(id_token=stop_token, authorization=pb.AuthorizationDecision(status="Blocked"))
    writes = from_event(envelope(occurred_at=timestamp(T11), updated=updated))
    assert not [w for w in writes if w.cql == projection.AUTHORIZATION]
    assert [w for w in writes if w.cql == projection.BY_STATION]  # a token was presented: indexed
    plain = from_event(envelope(occurred_at=timestamp(T11), updated=pb.TransactionUpdated(charging_state="Charging")))
    assert not [w for w in plain if w.cql in (projection.BY_STATION, projection.BY_TOKEN, projection.ACTIVE)]


def test_the_by_id_index_comes_with_the_other_indexes_and_with_the_first_event_handled() -> None:
    def by_id(event: pb.TransactionEvent) -> bool:
        return Write(projection.BY_ID, ("1001", "CS-1")) in from_event(event)

    assert by_id(envelope(occurred_at=timestamp(T10), updated=pb.TransactionUpdated()))  # first: T10 first seen
    assert not by_id(envelope(occurred_at=timestamp(T11), updated=pb.TransactionUpdated()))
    assert by_id(envelope(occurred_at=timestamp(T11), updated=pb.TransactionUpdated(id_token=TAG)))
    assert by_id(envelope(occurred_at=timestamp(T11), ended=pb.TransactionEnded()))


def test_meter_values_outside_a_transaction_go_to_the_connector_series() -> None:
    reported = pb.MeterValuesReported(evse_id=2, connector_id=1, meter_values=[register(5, T10)])
    event = pb.TransactionEvent(
        station_id="CS-1", ocpp_version=envelope_pb2.OCPP_VERSION_16, meter_values_reported=reported
    )
    [write] = from_event(event)
    assert write.cql == projection.CONNECTOR_SAMPLE
    assert write.params[:5] == ("CS-1", date(2026, 11, 21), 2, 1, T10) and write.params[-1] == micros(T10)


def test_the_declaration_maps_every_event_of_a_batch_and_decodes_its_topic() -> None:
    assert (PROJECTION.name, PROJECTION.topics, PROJECTION.keyspace, PROJECTION.tables) == (
        "transactions.projector.transactions",
        (topics.TRANSACTIONS_EVENTS,),
        "csms_transactions",
        TABLES,
    )
    event = envelope(occurred_at=timestamp(T10), updated=pb.TransactionUpdated())
    assert PROJECTION.writes([event, event], None) == from_event(event) * 2
    assert decode(PROJECTION, record(event.SerializeToString(), 0)) == event
    with pytest.raises(UndecodableRecordError, match="undecodable TransactionEvent at"):
        decode(PROJECTION, record(b"\xff\xff", 2))


def record(value: bytes, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topics.TRANSACTIONS_EVENTS, 0, offset, 0, 0, b"CS-1", value, None, 0, len(value), [])
