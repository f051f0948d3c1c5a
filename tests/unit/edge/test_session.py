"""The per-connection session with a fake socket and a fake frame log: log first, then act."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest
from prometheus_client import REGISTRY

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.frame_log import owner_topic
from csms_edge.app.session import Session
from csms_edge.domain import edge_answers
from csms_edge.domain.budget import Limits
from csms_edge.domain.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope
from kit.fakes.edge import EDGE_ADDRESS, T0_NS, TRACEPARENT, World
from kit.waiting import wait_until

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

MALFORMED = [
    # (version, received frame, the edge's exact answer)
    (V16, "not json", '[4,"-1","FormationViolation","frame is not valid JSON",{}]'),
    (V201, "not json", '[4,"-1","RpcFrameworkError","frame is not valid JSON",{}]'),
    (V21, "not json", '[4,"-1","RpcFrameworkError","frame is not valid JSON",{}]'),
    (V16, b"\x00\x01", '[4,"-1","FormationViolation","OCPP-J frames must be text",{}]'),
    (V201, b"[2]", '[4,"-1","RpcFrameworkError","OCPP-J frames must be text",{}]'),
    (
        V201,
        "{}",
        '[4,"-1","RpcFrameworkError","frame must be a JSON array [MessageTypeId, MessageId, ...]",{}]',
    ),
    (
        V16,
        "[2]",
        '[4,"-1","FormationViolation","frame must be a JSON array [MessageTypeId, MessageId, ...]",{}]',
    ),
    (
        V201,
        '[2, 5, "Heartbeat", {}]',
        '[4,"-1","RpcFrameworkError","MessageId must be a non-empty string of at most 36 characters",{}]',
    ),
    (
        V201,
        '[2, "' + "x" * 37 + '", "Heartbeat", {}]',
        '[4,"-1","RpcFrameworkError","MessageId must be a non-empty string of at most 36 characters",{}]',
    ),
    (V201, '["2", "m1", "Heartbeat", {}]', '[4,"m1","RpcFrameworkError","MessageTypeId must be an integer",{}]'),
    (
        V201,
        '[7, "m1", {}]',
        '[4,"m1","MessageTypeNotSupported","MessageTypeId 7 is not supported by ocpp2.0.1",{}]',
    ),
    (V16, '[7, "m1", {}]', '[4,"m1","FormationViolation","MessageTypeId 7 is not supported by ocpp1.6",{}]'),
    (
        V201,
        '[5, "m1", "InternalError", "x", {}]',
        '[4,"m1","MessageTypeNotSupported","MessageTypeId 5 is not supported by ocpp2.0.1",{}]',
    ),
    (
        V201,
        '[6, "m1", "NotifyPeriodicEventStream", {}]',
        '[4,"m1","MessageTypeNotSupported","MessageTypeId 6 is not supported by ocpp2.0.1",{}]',
    ),
    (
        V201,
        '[2, "m1", "Heartbeat"]',
        '[4,"m1","RpcFrameworkError","a CALL is [2, MessageId, Action, {Payload}]",{}]',
    ),
    (
        V16,
        '[2, "m1", "Heartbeat", []]',
        '[4,"m1","FormationViolation","a CALL is [2, MessageId, Action, {Payload}]",{}]',
    ),
    (V21, '[2, "m1", "", {}]', '[4,"m1","RpcFrameworkError","Action must not be empty",{}]'),
]

# Security review #15: OCPP-J never answers a CALLRESULT/CALLERROR (2.1: nor a CALLRESULTERROR or a SEND).
MALFORMED_ANSWERS = [
    (V201, '[3, "m1", []]', "a CALLRESULT is [3, MessageId, {Payload}]"),
    (V16, '[3, "m1"]', "a CALLRESULT is [3, MessageId, {Payload}]"),
    (V201, '[4, "m1", "X"]', "a CALLERROR is [4, MessageId, ErrorCode, ErrorDescription, {}]"),
    (V21, '[5, "m1", 7]', "a CALLERROR is [4, MessageId, ErrorCode, ErrorDescription, {}]"),
    (V21, '[6, "m1", "NotifyPeriodicEventStream"]', "a SEND is [6, MessageId, Action, {Payload}]"),
]


@pytest.mark.parametrize(("version", "frame", "description"), MALFORMED_ANSWERS)
async def test_malformed_answers_are_logged_and_counted_but_never_answered(
    version: OcppVersion, frame: str, description: str, caplog: pytest.LogCaptureFixture
) -> None:
    world = World()
    connection, socket = world.connection(version=version)
    before = REGISTRY.get_sample_value("csms_edge_malformed_answers_total") or 0
    await Session(connection, world.context).handle(frame)
    assert socket.sent == []
    [received] = world.frame_log.records
    assert received.kind == envelope_pb2.KIND_MALFORMED_FRAME
    assert REGISTRY.get_sample_value("csms_edge_malformed_answers_total") == before + 1
    assert f"for message id m1 not answered ({description})" in caplog.text


async def test_a_malformed_answer_to_the_outstanding_csms_call_fails_it_at_once() -> None:
    world = World()
    connection, socket = world.connection(version=V201)
    pipe = connection.outbound(4)

    async def send() -> None:
        await socket.send('[2,"r1","Reset",{"type":"Immediate"}]')

    call = asyncio.create_task(pipe.call("r1", "Reset", 30.0, send))
    await wait_until(lambda: len(socket.sent) == 1)
    await Session(connection, world.context).handle('[3, "r1", "Accepted"]')
    answer = await asyncio.wait_for(call, 1.0)
    assert (answer.error_code, answer.error_description) == (
        "RpcFrameworkError",
        "the station's answer is malformed: a CALLRESULT is [3, MessageId, {Payload}]",
    )
    assert socket.sent == ['[2,"r1","Reset",{"type":"Immediate"}]']  # nothing sent back


@pytest.mark.parametrize(("version", "frame", "answer"), MALFORMED)
async def test_malformed_frames_get_the_versions_callerror_after_being_logged(
    version: OcppVersion, frame: str | bytes, answer: str
) -> None:
    world = World()
    connection, socket = world.connection(version=version)
    await Session(connection, world.context).handle(frame)
    assert socket.sent == [answer]
    assert [entry[0] for entry in world.journal] == ["logged", "logged", "sent"]
    received, answered = world.frame_log.records
    assert received.kind == envelope_pb2.KIND_MALFORMED_FRAME
    assert received.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
    assert received.frame == (frame if isinstance(frame, bytes) else frame.encode())
    assert received.reason
    assert answered.kind == envelope_pb2.KIND_FRAME
    assert answered.direction == envelope_pb2.DIRECTION_CSMS_TO_STATION
    assert answered.message_type == envelope_pb2.MESSAGE_TYPE_CALL_ERROR
    assert answered.frame == answer.encode()


async def test_malformed_frame_envelope_in_full() -> None:
    world = World()
    connection, _ = world.connection(version=V16)
    await Session(connection, world.context).handle('[2, "m1", "Heartbeat"]')
    expected = envelope_pb2.Envelope(
        station_id="CS-1",
        tenant="acme",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        direction=envelope_pb2.DIRECTION_STATION_TO_CSMS,
        kind=envelope_pb2.KIND_MALFORMED_FRAME,
        message_type=envelope_pb2.MESSAGE_TYPE_CALL,
        message_id="m1",
        frame=b'[2, "m1", "Heartbeat"]',
        edge_node_id="edge-1",
        connection_id="c0ffee",
        received_at=timestamp(T0_NS),
        reason="RpcFrameworkError: a CALL is [2, MessageId, Action, {Payload}]",
        traceparent=TRACEPARENT,
    )
    assert world.frame_log.records[0] == expected
    assert world.frame_log.records[1].traceparent == TRACEPARENT  # the answer continues the trace


async def test_a_call_is_logged_untouched_and_not_answered_by_the_edge() -> None:
    world = World()
    connection, socket = world.connection(version=V201)
    raw = '[2,  "m1", "Heartbeat", {}  ]'
    await Session(connection, world.context).handle(raw)
    assert socket.sent == []
    first = frame_envelope(raw, tenant="acme", received_at=timestamp(T0_NS), traceparent=TRACEPARENT, first_call=True)
    assert world.frame_log.records == [first]


def answering_heartbeats(world: World) -> World:
    world.context = dataclasses.replace(world.context, answered_at_edge=frozenset({"Heartbeat"}))
    return world


@pytest.mark.parametrize("version", [V16, V201, V21])
async def test_a_heartbeat_is_answered_at_the_edge_once_it_and_its_answer_are_durable(version: OcppVersion) -> None:
    world = answering_heartbeats(World())
    connection, socket = world.connection(version=version)
    await Session(connection, world.context).handle('[2, "m1", "Heartbeat", {}]')
    call, reply = world.frame_log.records
    assert (call.message_type, call.action, call.reason) == (2, "Heartbeat", edge_answers.REASON)
    assert owner_topic(call) is None  # not handed to device-model
    assert (reply.direction, reply.message_type, reply.message_id, reply.action) == (
        envelope_pb2.DIRECTION_CSMS_TO_STATION,
        3,
        "m1",
        "Heartbeat",
    )
    assert socket.sent == [reply.frame.decode()]
    assert json.loads(socket.sent[0]) == [3, "m1", {"currentTime": "2026-01-01T00:00:00.000Z"}]
    assert [entry for entry, _ in world.journal] == ["logged", "logged", "sent"]  # durable, then sent


async def test_a_heartbeat_is_not_answered_when_it_cannot_be_made_durable() -> None:
    world = answering_heartbeats(World())
    world.frame_log.fail = True
    connection, socket = world.connection(version=V16)
    await Session(connection, world.context).handle('[2, "m1", "Heartbeat", {}]')
    assert socket.sent == []
    assert world.frame_log.records == []


async def test_a_heartbeat_resent_after_a_lost_answer_is_answered_again_once() -> None:
    world = answering_heartbeats(World())
    connection, socket = world.connection(version=V201)
    session = Session(connection, world.context)
    for _ in range(2):
        await session.handle('[2, "m1", "Heartbeat", {}]')
    assert [(r.message_type, r.repeat) for r in world.frame_log.records] == [
        (2, False),
        (3, False),
        (2, True),
        (3, False),
    ]
    assert [json.loads(frame)[1] for frame in socket.sent] == ["m1", "m1"]  # one answer per CALL received


async def test_an_invalid_heartbeat_goes_to_its_owner_as_before() -> None:
    world = answering_heartbeats(World())
    connection, socket = world.connection(version=V201)
    await Session(connection, world.context).handle('[2, "m1", "Heartbeat", {"unexpected": true}]')
    (call,) = world.frame_log.records
    assert (call.reason, socket.sent) == ("", [])
    assert owner_topic(call) == "ocpp.calls.device_model.v1"


async def test_a_call_resent_on_the_connection_is_logged_as_a_repeat() -> None:
    world = World()
    connection, _ = world.connection(version=V201)
    session = Session(connection, world.context)
    for frame in ('[2, "m1", "Heartbeat", {}]', '[2, "m2", "Heartbeat", {}]', '[2, "m1", "Heartbeat", {}]'):
        await session.handle(frame)
    await session.handle('[3, "m1", {}]')  # an answer with a CALL's message id is not a CALL
    assert [(r.message_id, r.repeat) for r in world.frame_log.records] == [
        ("m1", False),
        ("m2", False),
        ("m1", True),
        ("m1", False),
    ]


async def test_the_first_call_of_a_new_connection_repeating_the_one_left_unanswered_says_so() -> None:
    world = World()
    old, _ = world.connection(version=V201, connection_id="old")
    world.table.register(old)
    await Session(old, world.context).handle('[2, "m1", "StatusNotification", {}]')
    assert old.unanswered == "m1"
    new, _ = world.connection(version=V201, connection_id="new")
    world.table.register(new)
    session = Session(new, world.context)
    await session.handle('[2, "m1", "StatusNotification", {}]')
    await session.handle('[2, "m2", "StatusNotification", {}]')
    assert [(r.connection_id, r.message_id, r.repeat, r.repeat_of_connection_id) for r in world.frame_log.records] == [
        ("old", "m1", False, ""),
        ("new", "m1", True, "old"),
        ("new", "m2", False, ""),
    ]
    assert [r.first_call for r in world.frame_log.records] == [True, False, False]


async def test_only_the_first_call_of_a_connection_is_marked_first_and_never_a_boot_notification() -> None:
    """The owner compares a marked CALL with the station's latest answer (docs/adr/0017 addendum, session 13); a
    station that rebooted may reuse message ids, so its BootNotification is not compared."""
    world = World()
    for connection_id, frames in (
        ("a", ['[2, "m1", "StatusNotification", {}]', '[2, "m2", "StatusNotification", {}]']),
        ("b", ['[2, "m1", "BootNotification", {}]', '[2, "m2", "StatusNotification", {}]']),
        ("c", ['[3, "x", {}]', '[2, "m3", "StatusNotification", {}]']),
    ):
        connection, _ = world.connection(version=V201, connection_id=connection_id)
        session = Session(connection, world.context)
        for frame in frames:
            await session.handle(frame)
    assert [(r.connection_id, r.message_id, r.first_call) for r in world.frame_log.records] == [
        ("a", "m1", True),
        ("a", "m2", False),
        ("b", "m1", False),
        ("b", "m2", False),
        ("c", "x", False),
        ("c", "m3", True),
    ]


async def test_failing_frame_log_means_no_answer() -> None:
    world = World()
    world.frame_log.fail = True
    connection, socket = world.connection(version=V16)
    await Session(connection, world.context).handle("not json")
    assert socket.sent == []
    assert world.journal == []


async def test_failing_frame_log_means_the_answer_does_not_resolve_the_call() -> None:
    world = World()
    connection, _ = world.connection(version=V201)
    pipe = connection.outbound(16)

    async def send() -> None:
        pass

    call = asyncio.create_task(pipe.call("m1", "Reset", 5, send))
    await wait_until(lambda: pipe.outstanding_message_id == "m1")
    session = Session(connection, world.context)
    world.frame_log.fail = True
    await session.handle('[3, "m1", {"status": "Accepted"}]')
    assert not call.done()
    world.frame_log.fail = False
    await session.handle('[3, "m1", {"status": "Accepted"}]')  # the station's retry
    assert (await call).payload == {"status": "Accepted"}


async def test_call_result_resolves_the_pending_call_after_logging_with_its_action() -> None:
    world = World()
    connection, _ = world.connection(version=V201)
    pipe = connection.outbound(16)
    resolved_after: list[int] = []

    async def send() -> None:
        pass

    async def call() -> None:
        await pipe.call("m1", "Reset", 5, send)
        resolved_after.append(len(world.frame_log.records))

    task = asyncio.create_task(call())
    await wait_until(lambda: pipe.outstanding_message_id == "m1")
    await Session(connection, world.context).handle('[3, "m1", {"status": "Accepted"}]')
    await task
    assert resolved_after == [1]
    record = world.frame_log.records[0]
    assert record.message_type == envelope_pb2.MESSAGE_TYPE_CALL_RESULT
    assert record.action == "Reset"


@pytest.mark.parametrize(
    "frame",
    ['[3, "nope", {}]', '[4, "nope", "NotSupported", "", {}]'],
)
async def test_unmatched_answers_are_logged_and_ignored(frame: str) -> None:
    world = World()
    connection, socket = world.connection(version=V201)
    await Session(connection, world.context).handle(frame)
    assert socket.sent == []
    assert world.frame_log.kinds() == ["KIND_FRAME"]
    assert world.frame_log.records[0].action == ""


async def test_v21_call_result_error_and_send_are_logged_frames() -> None:
    world = World()
    connection, socket = world.connection(version=V21)
    session = Session(connection, world.context)
    await session.handle('[5, "m9", "InternalError", "bad result", {}]')
    await session.handle('[6, "m10", "NotifyPeriodicEventStream", {"id": 1}]')
    assert socket.sent == []
    assert [r.message_type for r in world.frame_log.records] == [
        envelope_pb2.MESSAGE_TYPE_CALL_RESULT_ERROR,
        envelope_pb2.MESSAGE_TYPE_SEND,
    ]
    assert world.frame_log.records[1].action == "NotifyPeriodicEventStream"


async def test_session_records_connected_frames_and_disconnected() -> None:
    world = World()
    connection, socket = world.connection(version=V16)
    task = asyncio.create_task(Session(connection, world.context).run())
    await wait_until(lambda: world.frame_log.kinds() == ["KIND_CONNECTED"])
    assert world.table.get("CS-1") is connection
    socket.feed('[2,"1","Heartbeat",{}]')
    socket.feed("garbage")
    socket.feed('[2,"2","Heartbeat",{}]')  # the connection still works after a malformed frame
    socket.disconnect(1000, "bye")
    await asyncio.wait_for(task, 2)
    assert world.frame_log.kinds() == [
        "KIND_CONNECTED",
        "KIND_FRAME",
        "KIND_MALFORMED_FRAME",
        "KIND_FRAME",
        "KIND_FRAME",
        "KIND_DISCONNECTED",
    ]
    connected, disconnected = world.frame_log.records[0], world.frame_log.records[-1]
    assert connected.edge_address == EDGE_ADDRESS
    assert connected.ocpp_version == envelope_pb2.OCPP_VERSION_16
    assert connected.connection_id == disconnected.connection_id == "c0ffee"
    assert disconnected.reason.startswith("code 1000: ")
    assert socket.sent == ['[4,"-1","FormationViolation","frame is not valid JSON",{}]']
    assert world.table.get("CS-1") is None


async def test_a_station_over_its_budget_is_not_read_and_delays_no_other_station() -> None:
    """Security review #7: back-pressure, not drops. The flooding station's frames are all logged, at its rate,
    while its unread frames stay in its socket; a well-behaved station on the same node is never delayed."""
    world = World()
    context = dataclasses.replace(world.context, limits=Limits(frames_per_s=20, frame_burst=2))
    flooder, flood_socket = world.connection(station_id="CS-FLOOD", connection_id="c1")
    polite, polite_socket = world.connection(station_id="CS-POLITE", connection_id="c2")
    for i in range(10):
        flood_socket.feed(f'[2,"f{i}","Heartbeat",{{}}]')
    flooding = asyncio.create_task(Session(flooder, context).run())
    serving = asyncio.create_task(Session(polite, context).run())

    def logged(station_id: str) -> int:
        return sum(
            1 for r in world.frame_log.records if r.station_id == station_id and r.kind == envelope_pb2.KIND_FRAME
        )

    await wait_until(lambda: logged("CS-FLOOD") >= 3)
    assert flood_socket.incoming.qsize() >= 5  # not read: TCP back-pressure on a real socket
    started = asyncio.get_running_loop().time()
    polite_socket.feed('[2,"p1","Heartbeat",{}]')
    polite_socket.feed('[2,"p2","Heartbeat",{}]')
    await wait_until(lambda: logged("CS-POLITE") == 2)
    assert asyncio.get_running_loop().time() - started < 0.05
    assert logged("CS-FLOOD") < 10
    await wait_until(lambda: logged("CS-FLOOD") == 10, timeout_s=2.0)  # every frame handled, none dropped
    assert flood_socket.sent == []  # never answered with an error
    assert REGISTRY.get_sample_value("csms_edge_throttled_seconds_total") > 0
    for socket in (flood_socket, polite_socket):
        socket.disconnect()
    await asyncio.gather(flooding, serving)


async def test_disconnect_fails_pending_calls() -> None:
    world = World()
    connection, socket = world.connection()
    task = asyncio.create_task(Session(connection, world.context).run())
    await wait_until(lambda: world.frame_log.kinds() == ["KIND_CONNECTED"])
    pipe = connection.outbound(16)

    async def send() -> None:
        pass

    call = asyncio.create_task(pipe.call("m1", "Reset", 30, send))
    await wait_until(lambda: pipe.outstanding_message_id == "m1")
    socket.disconnect(1006, "")
    await asyncio.wait_for(task, 2)
    with pytest.raises(Exception, match="station disconnected"):
        await call


async def test_reconnect_replaces_the_old_connection() -> None:
    world = World()
    old, old_socket = world.connection(connection_id="old")
    new, new_socket = world.connection(connection_id="new")
    old_task = asyncio.create_task(Session(old, world.context).run())
    await wait_until(lambda: world.table.get("CS-1") is old)
    new_task = asyncio.create_task(Session(new, world.context).run())
    await asyncio.wait_for(old_task, 2)
    assert old_socket.closed == (1000, "replaced by a newer connection")
    assert world.table.get("CS-1") is new  # the old session's end did not unregister the new one
    assert world.table.get("CS-1", "old") is None
    new_socket.disconnect()
    await asyncio.wait_for(new_task, 2)
    assert world.table.get("CS-1") is None
    events = [(r.connection_id, envelope_pb2.Kind.Name(r.kind)) for r in world.frame_log.records]
    assert sorted(events) == sorted(
        [
            ("old", "KIND_CONNECTED"),
            ("new", "KIND_CONNECTED"),
            ("old", "KIND_DISCONNECTED"),
            ("new", "KIND_DISCONNECTED"),
        ]
    )


async def test_frame_log_down_at_connect_closes_with_try_again_later() -> None:
    world = World()
    world.frame_log.fail = True
    connection, socket = world.connection()
    await asyncio.wait_for(Session(connection, world.context).run(), 2)
    assert socket.closed == (1013, "frame log unavailable")
    assert world.table.get("CS-1") is None


async def test_a_bug_in_handling_closes_only_that_connection() -> None:
    world = World()
    connection, socket = world.connection()

    class BrokenSession(Session):
        __slots__ = ()

        async def handle(self, message: str | bytes) -> None:
            raise RuntimeError("bug")

    task = asyncio.create_task(BrokenSession(connection, world.context).run())
    await wait_until(lambda: world.frame_log.kinds() == ["KIND_CONNECTED"])
    socket.feed('[2,"1","Heartbeat",{}]')
    await asyncio.wait_for(task, 2)  # run() itself did not raise
    assert socket.closed == (1011, "internal error")
    assert world.frame_log.records[-1].reason == "edge error: RuntimeError"
