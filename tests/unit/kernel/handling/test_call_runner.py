"""CallRunner with repeated CALLs: the same CALL on the same connection gets the first answer and no new events;
the same record handled again after an aborted batch is handled anew. And its commits: a failed transaction is
retried with the same batch, a batch the broker refuses (the group moved on) or whose partitions were revoked
meanwhile is left to the new owner, a fenced producer stops the runner (fakes, no I/O)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_result

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.answered_calls import AnsweredCall, RecentAnswers
from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.handling.router import CallInfo, Emitted, Route, Router
from csms_kernel.infra import topics
from csms_kernel.infra.backoff import Backoff
from csms_kernel.infra.envelopes import timestamp, to_datetime
from csms_kernel.infra.health import Readiness
from csms_kernel.infra.kafka_transactions import GroupFenced, OutRecord, ProducerFenced, TransactionFailed
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope
from kit.fakes.answered_calls import InMemoryAnsweredCalls
from kit.waiting import eventually, probe
from unit.kernel.handling.fakes import (
    GEN1,
    GEN2,
    P0,
    CommittedAnyway,
    FakeConsumer,
    FakeProducer,
    record,
    running,
    until_committed,
)

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
    return CallRunner(
        service="device_model",
        router=router,
        consumer=FakeConsumer(),
        producer=FakeProducer(),
        answered=answered,
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=lambda: T0,
    )


def heartbeat_record(
    connection_id: str,
    received_at: datetime,
    payload: dict[str, Any] | None = None,
    *,
    repeat: bool = False,
    repeat_of: str = "",
    first_call: bool = False,
    message_id: str = "m1",
) -> bytes:
    return frame_envelope(
        json.dumps([2, message_id, "Heartbeat", payload or {}]),
        station_id="CS1",
        tenant="default",
        connection_id=connection_id,
        received_at=timestamp(received_at),
        repeat=repeat,
        repeat_of_connection_id=repeat_of,
        first_call=first_call,
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


@pytest.mark.parametrize("same_process", [True, False])
@pytest.mark.parametrize(
    "mark", [{"repeat": True, "repeat_of": "c1"}, {"first_call": True}], ids=["repeat_of", "first_call"]
)
async def test_a_call_left_unanswered_on_the_previous_connection_is_answered_once_on_the_next(
    same_process: bool, mark: dict[str, Any]
) -> None:
    """The edge marks the first CALL of a new connection that repeats the CALL the previous one on that node left
    unanswered (`repeat_of`), and any other first CALL but a boot (`first_call`: the station may have come from a
    node that died; the owner compares it with the station's latest answer) (docs/adr/0017 addenda): the first
    answer again, no second event, and repeats on the new connection too."""
    answered = InMemoryAnsweredCalls()
    calls = runner(answered)
    first = await calls.handle_record(heartbeat_record("c1", T0), "0:10")
    later = T0 + timedelta(seconds=40)
    handler = calls if same_process else runner(answered)
    again = await handler.handle_record(heartbeat_record("c2", later, **mark), "0:20")
    assert (reply_frame(again), events(again)) == (reply_frame(first), [])
    elsewhere = runner(answered)  # a further repeat on c2, after the partition moved
    third = await elsewhere.handle_record(heartbeat_record("c2", later, repeat=True), "0:21")
    assert (reply_frame(third), events(third)) == (reply_frame(first), [])


async def test_a_call_on_a_new_connection_repeating_nothing_handled_before_is_handled() -> None:
    answered = InMemoryAnsweredCalls()
    calls = runner(answered)
    await calls.handle_record(heartbeat_record("c1", T0, {"x": 1}), "0:10")  # another frame under that id
    handled = await calls.handle_record(heartbeat_record("c2", T0, repeat=True, repeat_of="c1"), "0:20")
    assert len(events(handled)) == 1
    never = await runner(InMemoryAnsweredCalls()).handle_record(
        heartbeat_record("c2", T0, repeat=True, repeat_of="c1"), "0:20"
    )
    assert len(events(never)) == 1  # the first copy never reached a service


async def test_a_first_call_is_a_new_call_unless_it_repeats_the_latest_answer_exactly() -> None:
    answered = InMemoryAnsweredCalls()
    calls = runner(answered)
    assert len(events(await calls.handle_record(heartbeat_record("c1", T0, first_call=True), "0:1"))) == 1
    assert answered.reads == 1  # nothing stored for the station yet
    await calls.handle_record(heartbeat_record("c1", T0, message_id="m2"), "0:2")
    older = await calls.handle_record(heartbeat_record("c2", T0, first_call=True), "0:3")  # m1 is not the latest
    other_frame = await calls.handle_record(heartbeat_record("c3", T0, {"x": 1}, first_call=True), "0:4")
    unmarked = await calls.handle_record(heartbeat_record("c4", T0), "0:5")
    assert [len(events(out)) for out in (older, unmarked)] == [1, 1]
    assert reply_frame(other_frame).startswith('[4,"m1","FormatViolation"')  # handled, not the stored answer


EXISTING = {topics.delivery("edge-1"), topics.DEVICE_MODEL_EVENTS}
PUBLISHED = [topics.delivery("edge-1"), topics.DEVICE_MODEL_EVENTS]


def call_runner(
    consumer: FakeConsumer, producer: FakeProducer, handler: Any = heartbeat, readiness: Readiness | None = None
) -> CallRunner[Context]:
    consumer.committed = producer.committed_offset
    return CallRunner(
        service="device_model",
        router=Router({OcppVersion.V201: {"Heartbeat": Route(v201_call.Heartbeat, handler)}}, Context),
        consumer=consumer,
        producer=producer,
        answered=InMemoryAnsweredCalls(),
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=lambda: T0,
        backoff=Backoff(initial_s=0.01, maximum_s=0.01),
        readiness=readiness or Readiness(),
    )


def heartbeat_at(offset: int) -> dict[Any, Any]:
    return {P0: [record(0, offset, heartbeat_record("c1", T0))]}


async def test_a_failed_transaction_is_retried_with_the_same_batch() -> None:
    producer = FakeProducer(EXISTING, failures=[TransactionFailed("broker restarting")])
    calls = call_runner(FakeConsumer(heartbeat_at(10)), producer)
    async with running(calls):
        await until_committed(producer, 1)
    assert producer.attempts == 2
    assert producer.committed == [(PUBLISHED, {P0: 11}, GEN1)]
    assert producer.stopped


async def test_a_failed_transaction_is_read_again_from_the_committed_offsets_not_published_from_memory() -> None:
    consumer = FakeConsumer(heartbeat_at(10))
    producer = FakeProducer(EXISTING, failures=[TransactionFailed("broker restarting")])
    async with running(call_runner(consumer, producer)):
        await until_committed(producer, 1)
    assert consumer.rewound == [{P0}]


async def test_a_commit_that_failed_but_went_through_is_never_published_again() -> None:
    """A commit_transaction that timed out may have committed: the batch read again from the committed offsets
    is empty, so nothing is answered twice (tests/faults/test_restarts.py once doubled an event this way)."""
    consumer = FakeConsumer(heartbeat_at(10))
    producer = FakeProducer(EXISTING, failures=[CommittedAnyway(TransactionFailed("commit timed out"))])
    async with running(call_runner(consumer, producer)):
        await until_committed(producer, 1)
        await eventually(probe(lambda: consumer.rewound), lambda rewound: rewound == [{P0}], what="the rewind")
    assert consumer.polls == []  # nothing past the committed offset: nothing to handle again
    assert producer.attempts == 1
    assert producer.committed == [(PUBLISHED, {P0: 11}, GEN1)]


async def test_a_batch_that_keeps_failing_makes_the_process_not_serving_until_it_passes() -> None:
    """Security review #16: the retries back off and the health reflects the outage."""
    outage = [TransactionFailed(f"broker down {i}") for i in range(4)]
    producer = FakeProducer(EXISTING, failures=outage)
    readiness = Readiness()
    seen: list[bool] = []
    readiness.subscribe(seen.append)
    async with running(call_runner(FakeConsumer(heartbeat_at(10)), producer, readiness=readiness)):
        await until_committed(producer, 1)
    assert producer.attempts == 5
    assert seen == [False, True]
    assert readiness.serving


async def test_the_producer_is_started_before_the_first_poll_and_a_failed_start_is_retried() -> None:
    producer = FakeProducer(EXISTING, start_failures=[TransactionFailed("coordinator not available")])
    consumer = FakeConsumer(heartbeat_at(10))
    polled_after_start: list[bool] = []
    consumer.after_poll = lambda: polled_after_start.append(producer.started)
    async with running(call_runner(consumer, producer)):
        await until_committed(producer, 1)
    assert polled_after_start == [True]
    assert producer.committed == [(PUBLISHED, {P0: 11}, GEN1)]


async def test_a_batch_the_broker_refuses_is_left_to_the_new_owner_and_the_runner_goes_on() -> None:
    producer = FakeProducer(EXISTING, failures=[GroupFenced("ILLEGAL_GENERATION")])
    calls = call_runner(FakeConsumer(heartbeat_at(10), (GEN2, heartbeat_at(10))), producer)
    async with running(calls):
        await until_committed(producer, 1)
    # Not retried: the second attempt is the batch read again in the new generation.
    assert producer.attempts == 2
    assert producer.committed == [(PUBLISHED, {P0: 11}, GEN2)]


async def test_a_batch_whose_partitions_were_revoked_meanwhile_is_left_to_the_new_owner() -> None:
    producer = FakeProducer(EXISTING)
    consumer = FakeConsumer(heartbeat_at(10), (GEN2, heartbeat_at(10)))

    async def rebalanced_meanwhile(ctx: Context, request: v201_call.Heartbeat) -> v201_result.Heartbeat:
        consumer.current = GEN2
        return await heartbeat(ctx, request)

    async with running(call_runner(consumer, producer, rebalanced_meanwhile)):
        await until_committed(producer, 1)
    assert producer.attempts == 1
    assert producer.committed == [(PUBLISHED, {P0: 11}, GEN2)]


async def test_a_fenced_producer_stops_the_runner() -> None:
    producer = FakeProducer(EXISTING, failures=[ProducerFenced("PRODUCER_FENCED")])
    calls = call_runner(FakeConsumer(heartbeat_at(10)), producer)
    with pytest.raises(ProducerFenced):
        await calls.run()
    assert (producer.committed, producer.stopped) == ([], True)


async def test_replies_to_an_edge_node_without_a_delivery_topic_are_dropped() -> None:
    producer = FakeProducer({topics.DEVICE_MODEL_EVENTS})
    async with running(call_runner(FakeConsumer(heartbeat_at(10)), producer)):
        await until_committed(producer, 1)
    assert producer.committed == [([topics.DEVICE_MODEL_EVENTS], {P0: 11}, GEN1)]
