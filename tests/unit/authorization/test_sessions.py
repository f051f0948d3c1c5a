"""Active sessions per token from the transactions events (pure mapping, and the projector over a fake)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.projections.active_sessions import ActiveSessionsProjector, Write, session_writes
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp

AT = datetime(2026, 11, 21, 12, 0, 0, 500000, tzinfo=UTC)
MICROS = 1_795_262_400_500_000
ACTIVE = (
    "INSERT INTO csms_authorization.active_sessions (token_key, station_id, transaction_id) VALUES (?, ?, ?)"
    " USING TIMESTAMP ?"
)
ENDED = (
    "DELETE FROM csms_authorization.active_sessions USING TIMESTAMP ?"
    " WHERE token_key = ? AND station_id = ? AND transaction_id = ?"
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


def test_ended_deletes_it_at_the_event_time() -> None:
    assert session_writes(event(ended=tx.TransactionEnded())) == [Write(ENDED, (MICROS, "04A2B3C4", "CS-1", "T-1"))]


def test_events_without_a_session_token_or_other_events_write_nothing() -> None:
    assert session_writes(event("", started=tx.TransactionStarted())) == []
    assert session_writes(event(meter_values_reported=tx.MeterValuesReported())) == []


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[Write]] = []

    async def apply(self, writes: Sequence[Write]) -> None:
        self.batches.append(list(writes))


async def test_the_projector_applies_a_batch_at_once() -> None:
    recorder = Recorder()
    records = [
        ConsumerRecord(topics.TRANSACTIONS_EVENTS, 0, i, 0, 0, b"CS-1", e.SerializeToString(), None, 0, 0, [])
        for i, e in enumerate([event(started=tx.TransactionStarted()), event(ended=tx.TransactionEnded())])
    ]
    await ActiveSessionsProjector(recorder).apply(records)
    assert recorder.batches == [
        [Write(ACTIVE, ("04A2B3C4", "CS-1", "T-1", MICROS)), Write(ENDED, (MICROS, "04A2B3C4", "CS-1", "T-1"))]
    ]
