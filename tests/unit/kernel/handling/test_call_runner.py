"""CallRunner with repeated CALLs: the same CALL on the same connection gets the first answer and no new events;
the same record handled again after an aborted batch is handled anew. And a failed transaction: the producer is
replaced and the batch published by the new one (fakes, no I/O)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_result

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.answered_calls import AnsweredCall, RecentAnswers
from csms_kernel.handling.call_runner import CallRunner, OutRecord
from csms_kernel.handling.router import CallInfo, Emitted, Route, Router
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp, to_datetime
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope
from kit.fakes.answered_calls import InMemoryAnsweredCalls
from kit.waiting import eventually

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass
class Context:
    call: CallInfo
    emitted: Emitted


async def heartbeat(ctx: Context, request: v201_call.Heartbeat) -> v201_result.Heartbeat:
    ctx.emitted.emit(device_model_pb2.DeviceModelEvent(station_id=ctx.call.station_id))
    return v201_result.Heartbeat(current_time=ctx.call.received_at.isoformat())


async def read_only_heartbeat(ctx: Context, request: v201_call.Heartbeat) -> v201_result.Heartbeat:
    return v201_result.Heartbeat(current_time=ctx.call.received_at.isoformat())


def runner(answered: InMemoryAnsweredCalls, *, remember_answer: bool = True) -> CallRunner[Context]:
    if remember_answer:
        route = Route(v201_call.Heartbeat, heartbeat)
    else:
        route = Route(v201_call.Heartbeat, read_only_heartbeat, remember_answer=False)
    router = Router({OcppVersion.V201: {"Heartbeat": route}}, Context)
    none: Any = None  # handle_record uses neither the consumer nor a producer
    return CallRunner(
        service="device_model",
        router=router,
        consumer=none,
        producers=lambda: none,
        answered=answered,
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=lambda: T0,
    )


def heartbeat_record(
    connection_id: str, received_at: datetime, payload: dict[str, Any] | None = None, *, repeat: bool = False
) -> bytes:
    return frame_envelope(
        json.dumps([2, "m1", "Heartbeat", payload or {}]),
        station_id="CS1",
        tenant="default",
        connection_id=connection_id,
        received_at=timestamp(received_at),
        repeat=repeat,
    ).SerializeToString()


def reply_frame(out: list[OutRecord]) -> str:
    reply = envelope_pb2.Envelope.FromString(out[0].value)
    assert out[0].topic == topics.delivery("edge-1")
    return reply.frame.decode()


def events(out: list[OutRecord]) -> list[OutRecord]:
    return [record for record in out if record.topic == topics.DEVICE_MODEL_EVENTS]


async def test_a_repeated_call_on_the_same_connection_gets_the_first_answer_and_no_events() -> None:
    answered = InMemoryAnsweredCalls()
    calls = runner(answered)
    first = await calls.handle_record(heartbeat_record("c1", T0), "0:10")
    again = await calls.handle_record(heartbeat_record("c1", T0 + timedelta(seconds=30)), "0:11")

    assert reply_frame(first) == '[3,"m1",{"currentTime":"2026-01-02T03:04:05+00:00"}]'
    assert len(events(first)) == 1
    assert reply_frame(again) == reply_frame(first)
    assert events(again) == []
    reply = envelope_pb2.Envelope.FromString(again[0].value)
    assert (reply.connection_id, to_datetime(reply.received_at)) == ("c1", T0 + timedelta(seconds=30))


async def test_a_call_marked_repeat_is_answered_from_the_durable_store_by_another_process() -> None:
    answered = InMemoryAnsweredCalls()
    first = await runner(answered).handle_record(heartbeat_record("c1", T0), "0:10")
    assert answered.reads == 0  # a CALL the edge did not mark costs no read

    restarted = runner(answered)  # e.g. the partition moved to another process
    again = await restarted.handle_record(heartbeat_record("c1", T0 + timedelta(seconds=30), repeat=True), "0:11")
    assert answered.reads == 1
    assert reply_frame(again) == reply_frame(first)
    assert events(again) == []


def test_recent_answers_forget_the_oldest_beyond_their_capacity() -> None:
    recent = RecentAnswers(capacity=2)
    answers = {key: AnsweredCall(key, b"d", f"reply {key}", False) for key in ("m1", "m2", "m3")}
    for key, answer in answers.items():
        recent.put(("CS1", "c1", key), answer)
    recent.put(("CS1", "c1", "m2"), answers["m2"])
    assert recent.get(("CS1", "c1", "m1")) is None
    assert recent.get(("CS1", "c1", "m2")) == answers["m2"]
    assert recent.get(("CS1", "c1", "m3")) == answers["m3"]


async def test_unremembered_answers_are_not_stored_but_a_repeat_in_one_process_gets_the_first() -> None:
    answered = InMemoryAnsweredCalls()
    calls = runner(answered, remember_answer=False)
    first = await calls.handle_record(heartbeat_record("c1", T0), "0:10")
    again = await calls.handle_record(heartbeat_record("c1", T0 + timedelta(seconds=30), repeat=True), "0:11")
    assert answered.rows == {}
    assert reply_frame(again) == reply_frame(first)


async def test_the_same_record_handled_again_after_an_aborted_batch_is_handled_anew() -> None:
    calls = runner(InMemoryAnsweredCalls())
    first = await calls.handle_record(heartbeat_record("c1", T0), "0:10")
    redelivered = await calls.handle_record(heartbeat_record("c1", T0), "0:10")
    assert redelivered == first
    assert len(events(redelivered)) == 1


async def test_the_same_message_id_on_another_connection_or_with_another_frame_is_a_new_call() -> None:
    answered = InMemoryAnsweredCalls()
    calls = runner(answered)
    await calls.handle_record(heartbeat_record("c1", T0), "0:10")
    later = T0 + timedelta(minutes=1)
    reconnected = await calls.handle_record(heartbeat_record("c2", later), "0:20")
    changed = await calls.handle_record(heartbeat_record("c1", later, {"x": 1}), "0:21")

    assert reply_frame(reconnected) == '[3,"m1",{"currentTime":"2026-01-02T03:05:05+00:00"}]'
    assert len(events(reconnected)) == 1
    assert reply_frame(changed).startswith('[4,"m1","FormatViolation"')
    assert not answered.rows[("CS1", "c1", "m1")].is_error  # a CALLERROR before any handler ran is not stored


class FakeMetadata:
    def topics(self) -> set[str]:
        return {topics.delivery("edge-1"), topics.DEVICE_MODEL_EVENTS}


class FakeClient:
    async def fetch_all_metadata(self) -> FakeMetadata:
        return FakeMetadata()


@dataclass
class FakeProducer:
    """A transactional producer; `broken` ones fail every transaction as aiokafka's does once its sender died."""

    broken: bool
    client: FakeClient = field(default_factory=FakeClient)
    started: bool = False
    stopped: bool = False
    committed: list[tuple[list[str], dict[Any, int]]] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self.broken:
            raise AssertionError("Invalid state transition TransactionState.FATAL_ERROR -> IN_TRANSACTION")
        self._pending = []
        yield

    async def send(self, topic: str, value: bytes, key: bytes, headers: Any) -> None:
        self._pending.append(topic)

    async def send_offsets_to_transaction(self, offsets: dict[Any, int], group_id: str) -> None:
        self.committed.append((self._pending, offsets))


class OneBatchConsumer:
    def __init__(self, batch: dict[TopicPartition, list[Any]], revoked: bool = False) -> None:
        self._batches = [batch]
        self._assigned = set() if revoked else set(batch)

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Any]]:
        if self._batches:
            return self._batches.pop()
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    def assignment(self) -> set[TopicPartition]:
        return self._assigned


async def test_a_failed_transaction_replaces_the_producer_and_the_batch_is_published_by_the_next() -> None:
    tp = TopicPartition(topics.FRAMES, 0)
    record = ConsumerRecord(topics.FRAMES, 0, 10, 0, 0, b"CS1", heartbeat_record("c1", T0), None, 0, 0, [])
    made = [FakeProducer(broken=True), FakeProducer(broken=False)]
    producers = iter(made)
    none: Any = None
    consumer: Any = OneBatchConsumer({tp: [record]})
    calls = CallRunner(
        service="device_model",
        router=Router({OcppVersion.V201: {"Heartbeat": Route(v201_call.Heartbeat, heartbeat)}}, Context),
        consumer=consumer,
        producers=lambda: next(producers, none),
        answered=InMemoryAnsweredCalls(),
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=lambda: T0,
        retry_backoff_s=0.01,
    )

    async def published() -> list[tuple[list[str], dict[Any, int]]]:
        return made[1].committed

    running = asyncio.create_task(calls.run())
    try:
        await eventually(published, bool, timeout_s=5, what="the batch published")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert (made[0].started, made[0].stopped, made[0].committed) == (True, True, [])
    assert made[1].committed == [([topics.delivery("edge-1"), topics.DEVICE_MODEL_EVENTS], {tp: 11})]
    assert made[1].stopped


async def test_a_batch_whose_partitions_were_revoked_meanwhile_is_left_to_the_new_owner() -> None:
    tp = TopicPartition(topics.FRAMES, 0)
    record = ConsumerRecord(topics.FRAMES, 0, 10, 0, 0, b"CS1", heartbeat_record("c1", T0), None, 0, 0, [])
    producer = FakeProducer(broken=False)
    consumer: Any = OneBatchConsumer({tp: [record]}, revoked=True)
    calls = CallRunner(
        service="device_model",
        router=Router({OcppVersion.V201: {"Heartbeat": Route(v201_call.Heartbeat, heartbeat)}}, Context),
        consumer=consumer,
        producers=lambda: producer,
        answered=InMemoryAnsweredCalls(),
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=lambda: T0,
        retry_backoff_s=0.01,
    )
    running = asyncio.create_task(calls.run())
    try:
        await eventually(lambda: asyncio.sleep(0.05, consumer._batches), lambda left: left == [], timeout_s=5)
        await asyncio.sleep(0.1)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert producer.committed == []
