"""EdgeService.SendCall against the in-memory connection table, a fake socket and a fake frame log."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from csms.edge.v1 import edge_pb2
from csms.envelope.v1 import envelope_pb2
from csms_edge.api.grpc_api import EdgeServicer
from csms_edge.app.session import Session
from csms_kernel.ocpp.versions import OcppVersion
from kit.fakes.edge import World
from kit.waiting import wait_until


class Aborted(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details


class FakeContext:
    async def abort(self, code: grpc.StatusCode, details: str = "") -> None:
        raise Aborted(code, details)


def servicer(world: World, queue_size: int = 16, timeout_s: float = 5.0) -> EdgeServicer:
    return EdgeServicer(
        world.table,
        world.frame_log,
        world.envelopes,
        default_timeout_s=timeout_s,
        outbound_queue_size=queue_size,
        max_timeout_s=300.0,
    )


def request(**overrides: Any) -> edge_pb2.SendCallRequest:
    fields: dict[str, Any] = {
        "station_id": "CS-1",
        "action": "Reset",
        "payload_json": '{"type": "Immediate"}',
        "message_id": "m1",
    }
    fields.update(overrides)
    return edge_pb2.SendCallRequest(**fields)


async def send_call(api: EdgeServicer, req: edge_pb2.SendCallRequest) -> edge_pb2.SendCallResponse:
    return await api.SendCall(req, FakeContext())  # type: ignore[arg-type]


def connect(world: World, version: OcppVersion = OcppVersion.V201) -> tuple[Session, Any]:
    connection, socket = world.connection(version=version)
    world.table.register(connection)
    return Session(connection, world.context), socket


async def test_call_result_round_trip_and_the_call_is_logged_before_it_is_sent() -> None:
    world = World()
    session, socket = connect(world)
    call = asyncio.create_task(send_call(servicer(world), request()))
    await wait_until(lambda: socket.sent)
    assert socket.sent == ['[2,"m1","Reset",{"type":"Immediate"}]']
    assert [entry[0] for entry in world.journal] == ["logged", "sent"]
    logged = world.frame_log.records[0]
    assert (logged.direction, logged.kind, logged.message_type, logged.message_id, logged.action) == (
        envelope_pb2.DIRECTION_CSMS_TO_STATION,
        envelope_pb2.KIND_FRAME,
        envelope_pb2.MESSAGE_TYPE_CALL,
        "m1",
        "Reset",
    )
    await session.handle('[3, "m1", {"status": "Accepted"}]')
    assert await call == edge_pb2.SendCallResponse(message_id="m1", result_json='{"status":"Accepted"}')
    assert world.frame_log.records[1].action == "Reset"


async def test_call_error_round_trip() -> None:
    world = World()
    session, socket = connect(world)
    call = asyncio.create_task(send_call(servicer(world), request()))
    await wait_until(lambda: socket.sent)
    await session.handle('[4, "m1", "NotSupported", "no reset here", {"why": 1}]')
    assert await call == edge_pb2.SendCallResponse(
        message_id="m1",
        error=edge_pb2.CallError(code="NotSupported", description="no reset here", details_json='{"why":1}'),
    )


async def test_message_id_is_generated_when_absent() -> None:
    world = World()
    session, socket = connect(world)
    call = asyncio.create_task(send_call(servicer(world), request(message_id="")))
    await wait_until(lambda: socket.sent)
    message_id = json.loads(socket.sent[0])[1]
    assert len(message_id) == 32
    await session.handle(json.dumps([3, message_id, {}]))
    assert (await call).message_id == message_id


async def test_not_connected_is_not_found() -> None:
    world = World()
    with pytest.raises(Aborted) as aborted:
        await send_call(servicer(world), request())
    assert aborted.value.code is grpc.StatusCode.NOT_FOUND
    assert aborted.value.details == "station CS-1 is not connected to edge node edge-1"


async def test_other_connection_id_is_not_found() -> None:
    world = World()
    connect(world)
    with pytest.raises(Aborted) as aborted:
        await send_call(servicer(world), request(connection_id="stale"))
    assert aborted.value.code is grpc.StatusCode.NOT_FOUND


async def test_matching_connection_id_is_served() -> None:
    world = World()
    session, socket = connect(world)
    call = asyncio.create_task(send_call(servicer(world), request(connection_id="c0ffee")))
    await wait_until(lambda: socket.sent)
    await session.handle('[3, "m1", {}]')
    assert (await call).result_json == "{}"


async def test_timeout_is_deadline_exceeded() -> None:
    world = World()
    connect(world)
    with pytest.raises(Aborted) as aborted:
        await send_call(servicer(world), request(timeout_ms=50))
    assert aborted.value.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert aborted.value.details == "station CS-1 did not answer: no answer to Reset (message id m1) within 0.05 s"


async def test_default_timeout_from_settings() -> None:
    world = World()
    connect(world)
    with pytest.raises(Aborted) as aborted:
        await send_call(servicer(world, timeout_s=0.05), request())
    assert aborted.value.code is grpc.StatusCode.DEADLINE_EXCEEDED


async def test_full_queue_is_resource_exhausted() -> None:
    world = World()
    connect(world)
    api = servicer(world, queue_size=1)
    first = asyncio.create_task(send_call(api, request(message_id="a")))
    second = asyncio.create_task(send_call(api, request(message_id="b")))
    connection = world.table.get("CS-1")
    assert connection is not None
    await wait_until(lambda: connection.outbound(1).queued == 1)
    with pytest.raises(Aborted) as aborted:
        await send_call(api, request(message_id="c"))
    assert aborted.value.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    for task in (first, second):
        task.cancel()
    await asyncio.gather(first, second, return_exceptions=True)


async def test_disconnect_fails_pending_and_queued_calls_with_unavailable() -> None:
    world = World()
    session, socket = connect(world)
    run = asyncio.create_task(session.run())
    api = servicer(world)
    calls = [asyncio.create_task(send_call(api, request(message_id=m))) for m in ("a", "b")]
    await wait_until(lambda: socket.sent)
    socket.disconnect(1006, "")
    for call in calls:
        with pytest.raises(Aborted) as aborted:
            await call
        assert aborted.value.code is grpc.StatusCode.UNAVAILABLE
        assert aborted.value.details == "station CS-1 disconnected"
    await run


async def test_unrecorded_call_is_not_sent() -> None:
    world = World()
    _, socket = connect(world)
    world.frame_log.fail = True
    with pytest.raises(Aborted) as aborted:
        await send_call(servicer(world), request())
    assert aborted.value.code is grpc.StatusCode.UNAVAILABLE
    assert socket.sent == []


@pytest.mark.parametrize(
    ("overrides", "details"),
    [
        ({"station_id": ""}, "station_id is required"),
        ({"action": ""}, "action is required"),
        ({"payload_json": "{nope"}, "payload_json is not valid JSON"),
        ({"payload_json": "[1]"}, "payload_json must be a JSON object"),
        ({"message_id": "x" * 37}, "message_id must be at most 36 characters"),
        # Security review #16: uint32 milliseconds held the station's outbound slot for up to ~50 days.
        ({"timeout_ms": 2**32 - 1}, "timeout_ms must be at most 300000 (the edge's max_call_timeout_s)"),
        ({"timeout_ms": 300_001}, "timeout_ms must be at most 300000"),
    ],
)
async def test_invalid_requests(overrides: dict[str, Any], details: str) -> None:
    world = World()
    connect(world)
    with pytest.raises(Aborted) as aborted:
        await send_call(servicer(world), request(**overrides))
    assert aborted.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert aborted.value.details.startswith(details)
