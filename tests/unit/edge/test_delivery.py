"""Routing of delivery-topic records to this node's sockets."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.delivery import DeliveryConsumer, DeliveryHandler, group_id
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
    await handler.record(await handler.deliver(values))


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


async def test_delivery_goes_on_while_earlier_batches_are_recorded_and_commits_follow_the_recording() -> None:
    world = World()
    connection, socket = world.connection()
    world.table.register(connection)
    world.frame_log.gate = asyncio.Event()
    first = {TP0: [at(TP0, 0, reply(frame='[3,"a",{}]'))], TP1: [at(TP1, 7, reply(frame='[3,"b",{}]'))]}
    kafka = FakeDeliveryKafka(first, {TP0: [at(TP0, 1, reply(frame='[3,"c",{}]'))]})
    consumer = DeliveryConsumer(kafka, handler(world), "g", poll_timeout_ms=5, commit_interval_s=0)  # type: ignore[arg-type]
    task = asyncio.create_task(consumer.run())
    await wait_until(lambda: len(socket.sent) == 3)  # the second batch did not wait for the first's recording
    assert kafka.commits == [] and world.frame_log.records == []
    world.frame_log.gate.set()
    await wait_until(lambda: len(kafka.commits) == 2)
    assert kafka.commits == [{TP0: 1, TP1: 8}, {TP0: 2}]
    assert [record.frame for record in world.frame_log.records] == [b'[3,"a",{}]', b'[3,"b",{}]', b'[3,"c",{}]']
    consumer.request_stop()
    await task


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
