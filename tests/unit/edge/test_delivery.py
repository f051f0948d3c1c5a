"""Routing of delivery-topic records to this node's sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.delivery import DeliveryConsumer, DeliveryHandler, group_id
from csms_kernel.infra.backoff import Backoff
from csms_kernel.infra.health import Readiness
from kit.builders.envelopes import frame_envelope
from kit.fakes.edge import World
from kit.waiting import wait_until


def reply(connection_id: str = "c0ffee", frame: str = '[3,"m1",{"currentTime":"x"}]', **fields: object) -> bytes:
    envelope = frame_envelope(
        frame,
        envelope_pb2.MESSAGE_TYPE_CALL_RESULT,
        tenant="acme",
        connection_id=connection_id,
        traceparent="00-11111111111111111111111111111111-2222222222222222-01",
    )
    for name, value in fields.items():
        setattr(envelope, name, value)
    return envelope.SerializeToString()


def handler(world: World) -> DeliveryHandler:
    return DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=0.2)


async def deliver_and_record(handler: DeliveryHandler, values: list[bytes]) -> None:
    handler.deliver(values)
    await handler.flush()


def test_group_id() -> None:
    assert group_id("edge-7") == "edge.edge-7.delivery"


async def test_reply_reaches_the_current_connection_then_is_recorded() -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    await deliver_and_record(handler(world), [reply()])
    assert socket.sent == ['[3,"m1",{"currentTime":"x"}]']
    assert [entry[0] for entry in world.journal] == ["sent", "logged"]
    record = world.frame_log.records[0]
    assert record.direction == envelope_pb2.DIRECTION_CSMS_TO_STATION
    assert record.kind == envelope_pb2.KIND_FRAME
    assert record.frame == b'[3,"m1",{"currentTime":"x"}]'
    assert record.connection_id == "c0ffee"
    assert record.edge_node_id == "edge-1"
    assert record.traceparent == "00-11111111111111111111111111111111-2222222222222222-01"


async def test_an_answer_sent_marks_the_connection_s_call_answered() -> None:
    world = World()
    connection, _ = world.connection()
    world.table.register(connection)
    connection.call_handed_over("m1")
    await deliver_and_record(handler(world), [reply(frame='[3,"m0",{}]', message_id="m0")])
    assert connection.unanswered == "m1"
    await deliver_and_record(handler(world), [reply()])
    assert connection.unanswered == ""


async def test_batch_is_delivered_in_order() -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    frames = [f'[3,"m{i}",{{}}]' for i in range(5)]
    await deliver_and_record(handler(world), [reply(frame=f) for f in frames])
    assert socket.sent == frames
    assert [r.frame.decode() for r in world.frame_log.records] == frames


async def test_reply_for_an_older_connection_is_dropped() -> None:
    world = World()
    connection, socket = world.connection(connection_id="new")
    world.table.register(connection)
    await deliver_and_record(handler(world), [reply(connection_id="old"), reply(connection_id="")])
    assert socket.sent == []
    assert world.frame_log.records == []


async def test_reply_for_a_station_not_here_is_dropped() -> None:
    world = World()
    await deliver_and_record(handler(world), [reply()])
    assert world.frame_log.records == []


async def test_bad_records_are_skipped_and_the_rest_delivered() -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    await deliver_and_record(
        handler(world),
        [
            b"\xff\xff\xff",
            None,
            reply(direction=envelope_pb2.DIRECTION_STATION_TO_CSMS),
            reply(kind=envelope_pb2.KIND_CONNECTED),
            reply(frame="ok"),
        ],
    )
    assert socket.sent == ["ok"]


async def test_frame_log_failure_after_delivery_is_survived() -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    world.frame_log.fail = True
    await deliver_and_record(handler(world), [reply()])
    assert socket.sent == ['[3,"m1",{"currentTime":"x"}]']


async def test_close_connection_closes_the_same_connection_only() -> None:
    world = World()
    connection, socket = world.connection(connection_id="current")
    world.table.register(connection)
    close: dict[str, Any] = {"kind": envelope_pb2.KIND_CLOSE_CONNECTION, "frame": ""}
    await deliver_and_record(handler(world), [reply(connection_id="older", **close)])
    await world.table.wait_closing()
    assert socket.closed is None
    await deliver_and_record(handler(world), [reply(connection_id="current", **close)])
    await world.table.wait_closing()
    assert socket.closed == (1000, "replaced by a newer connection")


async def test_stalled_socket_is_closed_and_does_not_block_the_batch() -> None:
    world = World()
    stalled, stalled_socket = world.connection(station_id="CS-1")
    healthy, healthy_socket = world.connection(station_id="CS-2", connection_id="c2")
    world.table.register(stalled)
    world.table.register(healthy)
    stalled_socket.block_sends = True
    await deliver_and_record(handler(world), [reply(), reply(connection_id="c2", station_id="CS-2")])
    assert healthy_socket.sent == ['[3,"m1",{"currentTime":"x"}]']
    await wait_until(lambda: stalled_socket.closed is not None)
    assert stalled_socket.closed == (1011, "send stalled")


async def test_a_station_that_stops_reading_delays_no_reply_to_the_others() -> None:
    """Security review #6: replies to the other stations are written while the stalled station's send waits,
    in every batch after it too, and none of theirs is lost."""
    world = World()
    stalled, stalled_socket = world.connection(station_id="CS-0", connection_id="c0")
    world.table.register(stalled)
    others = [world.connection(station_id=f"CS-{i}", connection_id=f"c{i}") for i in range(1, 4)]
    for connection, _ in others:
        world.table.register(connection)
    stalled_socket.block_sends = True
    slow = DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=60)
    for batch in range(5):
        slow.deliver(
            [reply(connection_id="c0", station_id="CS-0", frame=f'[3,"s{batch}",{{}}]')]
            + [reply(connection_id=f"c{i}", station_id=f"CS-{i}", frame=f'[3,"m{batch}",{{}}]') for i in (1, 2, 3)]
        )
    expected = [f'[3,"m{batch}",{{}}]' for batch in range(5)]
    await wait_until(lambda: all(socket.sent == expected for _, socket in others), timeout_s=1.0)
    assert stalled_socket.sent == [] and stalled_socket.closed is None
    await wait_until(lambda: len(world.frame_log.records) == 15)


async def test_a_full_send_queue_closes_the_connection_and_drops_only_its_frames() -> None:
    world = World()
    stalled, stalled_socket = world.connection(station_id="CS-0", connection_id="c0")
    healthy, healthy_socket = world.connection(station_id="CS-1", connection_id="c1")
    world.table.register(stalled)
    world.table.register(healthy)
    stalled_socket.block_sends = True
    bounded = DeliveryHandler(world.table, world.frame_log, world.envelopes, send_timeout_s=60, send_queue_size=2)
    queued = bounded.deliver(
        [reply(connection_id="c0", station_id="CS-0") for _ in range(4)]
        + [reply(connection_id="c1", station_id="CS-1")]
    )
    assert queued == 3  # one being sent and two waiting; the fourth overflows
    await wait_until(lambda: stalled_socket.closed == (1011, "send stalled"))
    await wait_until(lambda: healthy_socket.sent == ['[3,"m1",{"currentTime":"x"}]'])


async def test_a_record_that_fails_to_route_does_not_skip_the_rest_of_the_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    routing = DeliveryHandler._route
    calls = 0

    def route_failing_once(self: DeliveryHandler, value: bytes | None) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("bug")
        return routing(self, value)

    monkeypatch.setattr(DeliveryHandler, "_route", route_failing_once)
    await deliver_and_record(handler(world), [reply(frame='[3,"a",{}]'), reply(frame='[3,"b",{}]')])
    assert socket.sent == ['[3,"b",{}]']


class FakeDeliveryKafka:
    """The consumer side of the delivery topic: batches to hand out, commits recorded."""

    def __init__(self, *batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        self._batches = list(batches)
        self.commits: list[dict[TopicPartition, int]] = []

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> dict[TopicPartition, Any]:
        if self._batches:
            return self._batches.pop(0)
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets)

    def assignment(self) -> set[TopicPartition]:
        return set()


TP0, TP1 = TopicPartition("d", 0), TopicPartition("d", 1)


def at(tp: TopicPartition, offset: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(tp.topic, tp.partition, offset, 0, 0, b"CS-1", value, None, 0, 0, [])


async def test_offsets_are_committed_once_the_batch_is_in_the_lanes_even_while_a_station_stalls() -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    socket.block_sends = True
    first = {TP0: [at(TP0, 0, reply(frame='[3,"a",{}]'))], TP1: [at(TP1, 7, reply(frame='[3,"b",{}]'))]}
    kafka = FakeDeliveryKafka(first, {TP0: [at(TP0, 1, reply(frame='[3,"c",{}]'))]})
    consumer = DeliveryConsumer(kafka, handler(world), "g", poll_timeout_ms=5, commit_interval_s=0)  # type: ignore[arg-type]
    task = asyncio.create_task(consumer.run())
    await wait_until(lambda: kafka.commits and kafka.commits[-1].get(TP0) == 2)
    assert socket.sent == []
    assert {TP0: 1, TP1: 8} in kafka.commits or kafka.commits[0] == {TP0: 2, TP1: 8}
    consumer.request_stop()
    await task


async def test_a_failed_batch_is_handled_again_not_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    kafka = FakeDeliveryKafka(
        {TP0: [at(TP0, 0, reply(frame='[3,"a",{}]'))]}, {TP0: [at(TP0, 1, reply(frame='[3,"b",{}]'))]}
    )
    failing = handler(world)
    deliver = failing.deliver
    calls = 0

    def deliver_failing_once(values: Sequence[bytes | None]) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("unexpected")
        return deliver(values)

    monkeypatch.setattr(failing, "deliver", deliver_failing_once)
    backoff = Backoff(initial_s=0.01, maximum_s=0.01)
    readiness = Readiness()
    changes: list[bool] = []
    readiness.subscribe(changes.append)
    consumer = DeliveryConsumer(
        kafka,  # type: ignore[arg-type]
        failing,
        "g",
        poll_timeout_ms=5,
        commit_interval_s=0,
        backoff=backoff,
        readiness=readiness,
    )
    task = asyncio.create_task(consumer.run())
    await wait_until(lambda: len(socket.sent) == 2)
    assert changes == [False, True]  # NOT_SERVING while the batch failed
    assert socket.sent == ['[3,"a",{}]', '[3,"b",{}]']
    consumer.request_stop()
    await task
    assert kafka.commits[-1] == {TP0: 2}


async def test_offsets_are_committed_at_most_once_per_interval_and_when_stopping() -> None:
    world = World()
    connection, _ = world.connection()
    world.table.register(connection)
    batches = {TP0: [at(TP0, 0, reply())], TP1: [at(TP1, 7, reply())]}, {TP0: [at(TP0, 1, reply())]}
    kafka = FakeDeliveryKafka(*batches)
    consumer = DeliveryConsumer(kafka, handler(world), "g", poll_timeout_ms=5, commit_interval_s=60)  # type: ignore[arg-type]
    task = asyncio.create_task(consumer.run())
    await wait_until(lambda: len(world.frame_log.records) == 3)
    assert kafka.commits == []
    consumer.request_stop()
    await task
    assert kafka.commits == [{TP0: 2, TP1: 8}]
