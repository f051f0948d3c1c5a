"""Active sessions per token from the transactions events: events → writes (pure), and the declaration."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.projections.active_sessions import PROJECTION, session_writes
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import ENDED_AT, Write

AT = datetime(2026, 11, 21, 12, 0, 0, 500000, tzinfo=UTC)
MICROS = 1_795_262_400_500_000
ACTIVE = "INSERT INTO {ks}.active_sessions (token_key, station_id, transaction_id) VALUES (?, ?, ?) USING TIMESTAMP ?"
ENDED = (
    "DELETE FROM {ks}.active_sessions USING TIMESTAMP ? WHERE token_key = ? AND station_id = ? AND transaction_id = ?"
)


def event(token: str = "04a2b3c4", **oneof: object) -> tx.TransactionEvent:
    return tx.TransactionEvent(
        station_id="CS-1",
        transaction_id="T-1",
        occurred_at=timestamp(AT),
        session_id_token=tx.IdToken(id_token=token, type="ISO14443") if token else None,
        **oneof,  # type: ignore[arg-type]
    )


def test_started_and_updated_make_the_session_active_for_its_token() -> None:
    assert int(AT.timestamp() * 1_000_000) == MICROS
    expected = [Write(ACTIVE, ("04A2B3C4", "CS-1", "T-1", MICROS))]
    assert session_writes(event(started=tx.TransactionStarted())) == expected
    assert session_writes(event(updated=tx.TransactionUpdated())) == expected


def test_ended_deletes_it_above_every_event_time() -> None:
    assert session_writes(event(ended=tx.TransactionEnded())) == [Write(ENDED, (ENDED_AT, "04A2B3C4", "CS-1", "T-1"))]


def test_events_without_a_session_token_or_other_events_write_nothing() -> None:
    assert session_writes(event("", started=tx.TransactionStarted())) == []
    assert session_writes(event(meter_values_reported=tx.MeterValuesReported())) == []


def test_the_declaration_maps_every_event_of_a_batch() -> None:
    assert (PROJECTION.name, PROJECTION.topics, PROJECTION.keyspace, PROJECTION.tables) == (
        "authorization.projector.active_sessions",
        (topics.TRANSACTIONS_EVENTS, topics.DEVICE_MODEL_EVENTS),
        "csms_authorization",
        ("active_sessions", "reservations"),
    )
    events = [event(started=tx.TransactionStarted()), event(ended=tx.TransactionEnded())]
    assert PROJECTION.writes(events, None) == [
        Write(ACTIVE, ("04A2B3C4", "CS-1", "T-1", MICROS)),
        Write(ENDED, (ENDED_AT, "04A2B3C4", "CS-1", "T-1")),
    ]
