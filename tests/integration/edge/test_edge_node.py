"""The edge node against the real Kafka over real WebSockets and real gRPC (fake station registry)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
import websockets
from grpc_health.v1 import health_pb2, health_pb2_grpc
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from csms.edge.v1 import edge_pb2
from csms.envelope.v1 import envelope_pb2
from csms_edge.bootstrap import EdgeNode
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import reply_to
from csms_kernel.infra.kafka import envelope_headers
from kit.edge_node import (
    DEADLINE_S,
    EdgeHarness,
    FramesTail,
    delete_delivery_topic,
    edge_settings,
    recv,
)
from kit.fakes.edge import FakeRegistry
from loadtest.station_socket import basic_auth

pytestmark = pytest.mark.integration


class Recorder:
    """Wraps a client connection for the `ocpp` ChargePoint and keeps the exact texts it sent."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.sent: list[str] = []

    async def send(self, message: str) -> None:
        self.sent.append(message)
        await self.ws.send(message)

    async def recv(self) -> str | bytes:
        return await self.ws.recv()


class Station201(ChargePoint201):  # type: ignore[misc]
    @on("Reset")  # type: ignore[untyped-decorator]
    def on_reset(self, type: str, **kwargs: Any) -> result201.Reset:
        return result201.Reset(status="Accepted")


def has(kind: int, **fields: Any) -> Any:
    def predicate(envelopes: list[envelope_pb2.Envelope]) -> bool:
        return any(e.kind == kind and all(getattr(e, k) == v for k, v in fields.items()) for e in envelopes)

    return predicate


def one(envelopes: list[envelope_pb2.Envelope], kind: int, **fields: Any) -> envelope_pb2.Envelope:
    matches = [e for e in envelopes if e.kind == kind and all(getattr(e, k) == v for k, v in fields.items())]
    assert len(matches) == 1, matches
    return matches[0]


async def test_grpc_health_is_serving(edge: EdgeHarness) -> None:
    async with grpc.aio.insecure_channel(edge.node.grpc_address) as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="csms.edge.v1.EdgeService"), timeout=5
        )
    assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_call_is_logged_with_envelope_and_headers_before_the_reply_reaches_the_station(
    edge: EdgeHarness, frames: FramesTail
) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as ws:
        assert ws.subprotocol == "ocpp2.0.1"
        recorder = Recorder(ws)
        station = ChargePoint201(station_id, recorder)
        reader = asyncio.create_task(station.start())
        boot = asyncio.create_task(
            station.call(
                call201.BootNotification(charging_station={"model": "M1", "vendor_name": "V"}, reason="PowerUp")
            )
        )
        envelopes = await frames.wait_for(station_id, has(envelope_pb2.KIND_FRAME, action="BootNotification"))
        assert not boot.done()  # nothing answers a CALL but its owning service (played by this test)

        connected = one(envelopes, envelope_pb2.KIND_CONNECTED)
        assert connected.edge_address == edge.node.grpc_address
        assert connected.ocpp_version == envelope_pb2.OCPP_VERSION_201
        assert connected.edge_node_id == edge.node_id
        assert len(connected.connection_id) == 32

        call = one(envelopes, envelope_pb2.KIND_FRAME, action="BootNotification")
        assert call.frame == recorder.sent[0].encode()  # untouched
        assert (call.station_id, call.tenant, call.edge_node_id, call.connection_id) == (
            station_id,
            "it",
            edge.node_id,
            connected.connection_id,
        )
        assert call.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
        assert call.message_type == envelope_pb2.MESSAGE_TYPE_CALL
        assert call.message_id == json.loads(recorder.sent[0])[1]
        assert call.ocpp_version == envelope_pb2.OCPP_VERSION_201
        assert call.received_at.ToNanoseconds() <= call.produced_at.ToNanoseconds()
        assert call.traceparent.startswith("00-")
        record = next(r for r in frames.records_of(station_id) if r.value == call.SerializeToString())
        assert record.topic == topics.FRAMES
        assert list(record.headers) == envelope_headers(call)

        answer = json.dumps(
            [3, call.message_id, {"currentTime": "2026-01-01T00:00:00Z", "interval": 300, "status": "Accepted"}]
        )
        await edge.deliver(reply_to(call, answer, False, datetime.now(UTC)))
        result = await asyncio.wait_for(boot, DEADLINE_S)
        assert result.status == "Accepted"
        assert result.interval == 300

        envelopes = await frames.wait_for(
            station_id, has(envelope_pb2.KIND_FRAME, direction=envelope_pb2.DIRECTION_CSMS_TO_STATION)
        )
        delivered = one(envelopes, envelope_pb2.KIND_FRAME, direction=envelope_pb2.DIRECTION_CSMS_TO_STATION)
        assert delivered.frame == answer.encode()
        assert delivered.connection_id == connected.connection_id
        await stop_reader(reader)

    envelopes = await frames.wait_for(station_id, has(envelope_pb2.KIND_DISCONNECTED))
    disconnected = one(envelopes, envelope_pb2.KIND_DISCONNECTED)
    assert disconnected.connection_id == connected.connection_id
    assert disconnected.reason.startswith("code 1000")


async def test_v16_station_round_trip(edge: EdgeHarness, frames: FramesTail) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password, subprotocols=("ocpp1.6",)) as ws:
        assert ws.subprotocol == "ocpp1.6"
        station = ChargePoint16(station_id, ws)
        reader = asyncio.create_task(station.start())
        status = asyncio.create_task(
            station.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
        )
        envelopes = await frames.wait_for(station_id, has(envelope_pb2.KIND_FRAME, action="StatusNotification"))
        request = one(envelopes, envelope_pb2.KIND_FRAME, action="StatusNotification")
        assert request.ocpp_version == envelope_pb2.OCPP_VERSION_16
        frame = json.dumps([3, request.message_id, {}])
        await edge.deliver(reply_to(request, frame, False, datetime.now(UTC)))
        assert isinstance(await asyncio.wait_for(status, DEADLINE_S), result16.StatusNotification)
        await stop_reader(reader)


async def test_subprotocol_preference(edge: EdgeHarness) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password, subprotocols=("ocpp1.6", "ocpp2.0.1", "ocpp2.1")) as ws:
        assert ws.subprotocol == "ocpp2.1"


async def test_send_call_round_trips_call_result_and_call_error(edge: EdgeHarness, frames: FramesTail) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as ws:
        station = Station201(station_id, ws)
        reader = asyncio.create_task(station.start())
        await frames.wait_for(station_id, has(envelope_pb2.KIND_CONNECTED))

        response = await edge.stub.SendCall(
            edge_pb2.SendCallRequest(
                station_id=station_id, action="Reset", payload_json='{"type":"Immediate"}', message_id="reset-1"
            ),
            timeout=DEADLINE_S,
        )
        assert response == edge_pb2.SendCallResponse(message_id="reset-1", result_json='{"status":"Accepted"}')

        response = await edge.stub.SendCall(
            edge_pb2.SendCallRequest(
                station_id=station_id, action="GetLog", payload_json='{"logType":"DiagnosticsLog","requestId":1}'
            ),
            timeout=DEADLINE_S,
        )
        assert response.WhichOneof("outcome") == "error"
        assert response.error.code == "NotImplemented"

        envelopes = await frames.wait_for(
            station_id, has(envelope_pb2.KIND_FRAME, message_type=envelope_pb2.MESSAGE_TYPE_CALL_ERROR)
        )
        sent_call = one(envelopes, envelope_pb2.KIND_FRAME, message_id="reset-1", message_type=2)
        assert sent_call.direction == envelope_pb2.DIRECTION_CSMS_TO_STATION
        assert sent_call.frame == b'[2,"reset-1","Reset",{"type":"Immediate"}]'
        answer = one(envelopes, envelope_pb2.KIND_FRAME, message_id="reset-1", message_type=3)
        assert answer.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
        assert answer.action == "Reset"
        await stop_reader(reader)


async def test_send_call_times_out_when_the_station_does_not_answer(edge: EdgeHarness) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password):
        await _until_connected(edge, station_id)
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await edge.stub.SendCall(
                edge_pb2.SendCallRequest(
                    station_id=station_id, action="Reset", payload_json='{"type":"Immediate"}', timeout_ms=300
                ),
                timeout=DEADLINE_S,
            )
    assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "did not answer" in (error.value.details() or "")


async def test_send_call_to_an_offline_station_is_not_found(edge: EdgeHarness) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await edge.stub.SendCall(
            edge_pb2.SendCallRequest(station_id="CS-nowhere", action="Reset", payload_json="{}"), timeout=DEADLINE_S
        )
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    assert error.value.details() == f"station CS-nowhere is not connected to edge node {edge.node_id}"


async def test_send_call_fails_unavailable_when_the_station_disconnects(edge: EdgeHarness) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as ws:
        await _until_connected(edge, station_id)
        pending = asyncio.ensure_future(
            edge.stub.SendCall(
                edge_pb2.SendCallRequest(station_id=station_id, action="Reset", payload_json="{}"),
                timeout=DEADLINE_S,
            )
        )
        await recv(ws)  # the CALL arrived; now hang up instead of answering
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await pending
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error.value.details() == f"station {station_id} disconnected"


async def test_malformed_frames_are_answered_and_the_connection_keeps_working(
    edge: EdgeHarness, frames: FramesTail
) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as ws:
        await ws.send("this is not json")
        assert await recv(ws) == '[4,"-1","RpcFrameworkError","frame is not valid JSON",{}]'
        await ws.send(b"\x00binary")
        assert await recv(ws) == '[4,"-1","RpcFrameworkError","OCPP-J frames must be text",{}]'
        await ws.send('[9,"m-9",{}]')
        assert (
            await recv(ws) == '[4,"m-9","MessageTypeNotSupported","MessageTypeId 9 is not supported by ocpp2.0.1",{}]'
        )
        await ws.send('[2,"hb-1","Heartbeat",{}]')  # answered by the edge itself once logged (docs/adr/0046)
        message_type, message_id, payload = json.loads(await recv(ws))
        assert (message_type, message_id, list(payload)) == (3, "hb-1", ["currentTime"])
        envelopes = await frames.wait_for(station_id, has(envelope_pb2.KIND_FRAME, action="Heartbeat"))
        call = one(envelopes, envelope_pb2.KIND_FRAME, direction=envelope_pb2.DIRECTION_STATION_TO_CSMS)
        assert (call.message_id, call.frame) == ("hb-1", b'[2,"hb-1","Heartbeat",{}]')
        assert call.reason.startswith("answered at the edge"), call.reason
    malformed = [e for e in frames.envelopes(station_id) if e.kind == envelope_pb2.KIND_MALFORMED_FRAME]
    assert [e.frame for e in malformed] == [b"this is not json", b"\x00binary", b'[9,"m-9",{}]']
    assert malformed[0].reason == "RpcFrameworkError: frame is not valid JSON"


async def test_a_frame_of_almost_1_mib_is_logged_and_handed_to_its_owner(edge: EdgeHarness, frames: FramesTail) -> None:
    """Security review #17: the frame limit is 1 MiB (it was 64 KiB), and Kafka takes such a record."""
    station_id, password = edge.register()
    frame = '[2,"big","DataTransfer",{"vendorId":"v","data":"' + "x" * (1024 * 1024 - 100) + '"}]'
    async with edge.connect(station_id, password, max_size=None) as ws:
        await ws.send(frame)
        envelopes = await frames.wait_for(station_id, has(envelope_pb2.KIND_FRAME, action="DataTransfer"))
        assert one(envelopes, envelope_pb2.KIND_FRAME, action="DataTransfer").frame == frame.encode()
        await ws.send('[2,"hb","Heartbeat",{}]')  # the connection goes on
        await frames.wait_for(station_id, has(envelope_pb2.KIND_FRAME, action="Heartbeat"))


async def test_oversize_frame_closes_with_1009(edge: EdgeHarness, frames: FramesTail) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password, max_size=None) as ws:
        await ws.send('[2,"big","DataTransfer",{"data":"' + "x" * (1024 * 1024) + '"}]')
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    envelopes = await frames.wait_for(station_id, has(envelope_pb2.KIND_DISCONNECTED))
    assert one(envelopes, envelope_pb2.KIND_DISCONNECTED).reason.startswith("code 1009")


async def test_reconnect_replaces_the_old_connection(edge: EdgeHarness, frames: FramesTail) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as old:
        first = (await frames.wait_for(station_id, has(envelope_pb2.KIND_CONNECTED)))[0]
        async with edge.connect(station_id, password) as new:
            with pytest.raises(ConnectionClosed) as closed:
                await recv(old)
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "replaced by a newer connection")
            envelopes = await frames.wait_for(
                station_id, lambda es: len([e for e in es if e.kind == envelope_pb2.KIND_CONNECTED]) == 2
            )
            second = [e for e in envelopes if e.kind == envelope_pb2.KIND_CONNECTED][1]
            assert second.connection_id != first.connection_id

            # A reply to the old connection is dropped; one to the new connection arrives.
            stale = envelope_pb2.Envelope()
            stale.CopyFrom(first)
            stale.direction = envelope_pb2.DIRECTION_CSMS_TO_STATION
            stale.kind = envelope_pb2.KIND_FRAME
            stale.frame = b'[3,"stale",{}]'
            fresh = envelope_pb2.Envelope()
            fresh.CopyFrom(stale)
            fresh.connection_id = second.connection_id
            fresh.frame = b'[3,"fresh",{}]'
            await edge.deliver(stale)
            await edge.deliver(fresh)
            assert await recv(new) == '[3,"fresh",{}]'

            # Commands go to the new connection.
            call = asyncio.ensure_future(
                edge.stub.SendCall(
                    edge_pb2.SendCallRequest(station_id=station_id, action="Reset", payload_json="{}", message_id="r"),
                    timeout=DEADLINE_S,
                )
            )
            assert await recv(new) == '[2,"r","Reset",{}]'
            await new.send('[3,"r",{"status":"Rejected"}]')
            assert (await call).result_json == '{"status":"Rejected"}'


async def test_close_connection_record_closes_that_connection(edge: EdgeHarness, frames: FramesTail) -> None:
    station_id, password = edge.register()
    async with edge.connect(station_id, password) as ws:
        connected = (await frames.wait_for(station_id, has(envelope_pb2.KIND_CONNECTED)))[0]
        await edge.deliver(
            envelope_pb2.Envelope(
                station_id=station_id,
                direction=envelope_pb2.DIRECTION_CSMS_TO_STATION,
                kind=envelope_pb2.KIND_CLOSE_CONNECTION,
                edge_node_id=edge.node_id,
                connection_id=connected.connection_id,
            )
        )
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "replaced by a newer connection")


async def _refusal(edge: EdgeHarness, **kwargs: Any) -> InvalidStatus:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(edge.url(kwargs.pop("station_id")), open_timeout=10, **kwargs):
            pass
    return refused.value


async def test_wrong_password_is_401(edge: EdgeHarness) -> None:
    station_id, _ = edge.register()

    refused = await _refusal(
        edge,
        station_id=station_id,
        subprotocols=["ocpp2.0.1"],
        additional_headers={"Authorization": basic_auth(station_id, "wrong")},
    )
    assert refused.response.status_code == 401
    assert refused.response.headers["WWW-Authenticate"] == 'Basic realm="OCPP"'


async def test_unknown_station_and_missing_credentials_are_401(edge: EdgeHarness) -> None:

    unknown = await _refusal(
        edge,
        station_id="CS-unknown",
        subprotocols=["ocpp2.0.1"],
        additional_headers={"Authorization": basic_auth("CS-unknown", "x")},
    )
    assert unknown.response.status_code == 401
    station_id, _ = edge.register()
    missing = await _refusal(edge, station_id=station_id, subprotocols=["ocpp2.0.1"])
    assert missing.response.status_code == 401


async def test_no_subprotocol_is_400(edge: EdgeHarness) -> None:

    station_id, password = edge.register()
    refused = await _refusal(
        edge, station_id=station_id, additional_headers={"Authorization": basic_auth(station_id, password)}
    )
    assert refused.response.status_code == 400
    assert b"no OCPP subprotocol offered" in (refused.response.body or b"")
    refused = await _refusal(
        edge,
        station_id=station_id,
        subprotocols=["ocpp1.5"],
        additional_headers={"Authorization": basic_auth(station_id, password)},
    )
    assert refused.response.status_code == 400


async def test_unknown_path_is_404(edge: EdgeHarness) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(f"ws://127.0.0.1:{edge.node.ws_port}/other/CS-1", open_timeout=10):
            pass
    assert refused.value.response.status_code == 404


async def test_registry_unreachable_is_503(edge: EdgeHarness) -> None:

    station_id, password = edge.register()
    edge.registry.unavailable = True
    try:
        refused = await _refusal(
            edge,
            station_id=station_id,
            subprotocols=["ocpp2.0.1"],
            additional_headers={"Authorization": basic_auth(station_id, password)},
        )
    finally:
        edge.registry.unavailable = False
    assert refused.response.status_code == 503


async def test_drain_closes_stations_with_going_away_and_records_it(infra: Any, frames: FramesTail) -> None:
    registry = FakeRegistry({"CS-drain": "pw"})
    node = EdgeNode(edge_settings(infra.kafka_bootstrap), registry=registry)
    await node.start()

    url = f"ws://127.0.0.1:{node.ws_port}/ocpp/CS-drain"
    headers = {"Authorization": basic_auth("CS-drain", "pw")}
    async with websockets.connect(url, subprotocols=[Subprotocol("ocpp2.0.1")], additional_headers=headers) as ws:
        await frames.wait_for("CS-drain", has(envelope_pb2.KIND_CONNECTED, edge_node_id=node.settings.node_id))
        stopping = asyncio.create_task(node.stop())
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        await asyncio.wait_for(stopping, DEADLINE_S)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "going away")
    envelopes = await frames.wait_for(
        "CS-drain", has(envelope_pb2.KIND_DISCONNECTED, edge_node_id=node.settings.node_id)
    )
    assert one(envelopes, envelope_pb2.KIND_DISCONNECTED, edge_node_id=node.settings.node_id).reason.startswith(
        "code 1001"
    )
    await delete_delivery_topic(infra.kafka_bootstrap, node.settings.node_id)
    with pytest.raises(OSError):
        async with websockets.connect(
            url, subprotocols=[Subprotocol("ocpp2.0.1")], additional_headers=headers, open_timeout=5
        ):
            pass


async def stop_reader(task: asyncio.Task[Any]) -> None:
    """Stops a ChargePoint's reader loop and collects its outcome (no "exception never retrieved")."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
        await task


async def _until_connected(edge: EdgeHarness, station_id: str) -> None:
    async with asyncio.timeout(DEADLINE_S):
        while edge.node.table.get(station_id) is None:  # noqa: ASYNC110 - bounded poll of the node's table
            await asyncio.sleep(0.01)


def reply_on(connected: envelope_pb2.Envelope, frame: str) -> envelope_pb2.Envelope:
    """A reply record addressed to the connection `connected` announced."""
    reply = envelope_pb2.Envelope()
    reply.CopyFrom(connected)
    reply.direction = envelope_pb2.DIRECTION_CSMS_TO_STATION
    reply.kind = envelope_pb2.KIND_FRAME
    reply.message_type = envelope_pb2.MESSAGE_TYPE_CALL_RESULT
    reply.frame = frame.encode()
    return reply


async def test_a_station_that_stops_reading_delays_no_reply_to_the_others(
    infra: Any, kafka_producer: Any, frames: FramesTail
) -> None:
    """Security review #6 (acceptance test 4): one station stops reading its socket while megabytes of replies
    are addressed to it; the replies to the other stations on the node keep arriving at once, every one of
    them, and the stalled station is disconnected with 1011 after the send timeout."""
    registry = FakeRegistry()
    node = EdgeNode(edge_settings(infra.kafka_bootstrap, send_timeout_s=3.0, send_queue_size=10_000), registry=registry)
    await node.start()
    harness = EdgeHarness(node, registry, kafka_producer, stub=None)
    loop = asyncio.get_running_loop()
    try:
        stalled_id, password = harness.register()
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window fills at once
        raw.setblocking(False)
        await loop.sock_connect(raw, ("127.0.0.1", node.ws_port))
        async with harness.connect(stalled_id, password, sock=raw, max_size=None, max_queue=1):
            stalled = one(
                await frames.wait_for(stalled_id, has(envelope_pb2.KIND_CONNECTED)), envelope_pb2.KIND_CONNECTED
            )
            async with contextlib.AsyncExitStack() as stack:
                others = []
                for _ in range(3):
                    station_id, other_password = harness.register()
                    ws = await stack.enter_async_context(harness.connect(station_id, other_password))
                    connected = one(
                        await frames.wait_for(station_id, has(envelope_pb2.KIND_CONNECTED)),
                        envelope_pb2.KIND_CONNECTED,
                    )
                    others.append((ws, connected))
                payload = "x" * 50_000
                for i in range(60):  # ~3 MB the stalled station never reads
                    await harness.deliver(reply_on(stalled, f'[3,"s{i}",{{"data":"{payload}"}}]'))
                latencies = []
                for round_ in range(10):
                    for ws, connected in others:
                        frame = f'[3,"m{round_}",{{}}]'
                        started = loop.time()
                        await harness.deliver(reply_on(connected, frame))
                        assert await recv(ws) == frame
                        latencies.append(loop.time() - started)
                # The old head-of-line delivery waited 3 s per stalled reply before any of these went out.
                assert max(latencies) < 1.0, sorted(latencies)[-5:]
                disconnected = one(
                    await frames.wait_for(stalled_id, has(envelope_pb2.KIND_DISCONNECTED)),
                    envelope_pb2.KIND_DISCONNECTED,
                )
                assert disconnected.reason.startswith("code 1011"), disconnected.reason
    finally:
        await node.stop()
        await delete_delivery_topic(infra.kafka_bootstrap, node.settings.node_id)


async def test_a_station_over_its_budget_is_slowed_without_losing_a_frame_or_delaying_others(
    infra: Any, kafka_producer: Any, frames: FramesTail
) -> None:
    """Security review #7: a station sending 60 frames at once with a budget of 20 frames/s (burst 5) gets every
    frame logged, spread over ~3 s by back-pressure, while another station's frames are logged at once."""
    registry = FakeRegistry()
    node = EdgeNode(
        edge_settings(infra.kafka_bootstrap, station_frames_per_s=20, station_frame_burst=5), registry=registry
    )
    await node.start()
    harness = EdgeHarness(node, registry, kafka_producer, stub=None)
    loop = asyncio.get_running_loop()
    try:
        flooder, flooder_password = harness.register()
        polite, polite_password = harness.register()
        async with harness.connect(flooder, flooder_password) as flood, harness.connect(polite, polite_password) as ws:
            started = loop.time()
            for i in range(60):
                await flood.send(f'[2,"f{i}","Heartbeat",{{}}]')
            for i in range(3):
                await ws.send(f'[2,"p{i}","Heartbeat",{{}}]')

            def heartbeats(count: int) -> Any:
                # distinct message ids: a record the tail reads twice must neither end the wait early nor hide the
                # moment the last one arrived
                return lambda envelopes: (
                    len({e.message_id for e in envelopes if e.kind == envelope_pb2.KIND_FRAME}) >= count
                )

            await frames.wait_for(polite, heartbeats(3))
            polite_done = loop.time() - started
            await frames.wait_for(flooder, heartbeats(60))
            flood_done = loop.time() - started
        assert polite_done < 1.0, polite_done
        assert flood_done >= 2.0, flood_done  # (60 - 5) frames at 20/s: ~2.75 s
        ids = [e.message_id for e in frames.envelopes(flooder) if e.kind == envelope_pb2.KIND_FRAME]
        assert list(dict.fromkeys(ids)) == [f"f{i}" for i in range(60)]  # all of them, in order
    finally:
        await node.stop()
        await delete_delivery_topic(infra.kafka_bootstrap, node.settings.node_id)
