"""`GrpcStationCalls` against an in-process DeviceModelService on loopback: the request it sends (action,
camelCase payload, timeout, deadline with the one margin), the typed answer, and each way a call has none."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from ocpp.v16 import call as v16_call
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_result

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.edge.v1 import edge_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.clients.station_calls import (
    CALL_DEADLINE_MARGIN_S,
    Answered,
    CallErrorAnswer,
    CallFailed,
    CallTimedOut,
    GrpcStationCalls,
    StationOffline,
    rpc_deadline_s,
)
from csms_kernel.ocpp.versions import OcppVersion

Context = grpc.aio.ServicerContext[Any, Any]
START = v201_call.RequestStartTransaction(id_token={"id_token": "T1", "type": "Central"}, remote_start_id=7)


@dataclass
class DeviceModel(device_model_pb2_grpc.DeviceModelServiceServicer):
    """Stations by id; SendCall answers with `reply` (a response, or a status and details to abort with) and
    records each request with the time the client left for it."""

    stations: dict[str, device_model_pb2.Station] = field(default_factory=dict)
    reply: device_model_pb2.SendCallResponse | tuple[grpc.StatusCode, str] = field(
        default_factory=lambda: device_model_pb2.SendCallResponse(message_id="m1", result_json='{"status": "Accepted"}')
    )
    received: list[tuple[device_model_pb2.SendCallRequest, float]] = field(default_factory=list)

    async def GetStation(
        self, request: device_model_pb2.GetStationRequest, context: Context
    ) -> device_model_pb2.GetStationResponse:
        station = self.stations.get(request.station_id)
        if station is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"station {request.station_id} has never connected")
        return device_model_pb2.GetStationResponse(station=station)

    async def SendCall(
        self, request: device_model_pb2.SendCallRequest, context: Context
    ) -> device_model_pb2.SendCallResponse:
        self.received.append((request, context.time_remaining() or 0.0))
        if isinstance(self.reply, tuple):
            await context.abort(*self.reply)
        return self.reply


@pytest.fixture
async def device_model() -> AsyncIterator[tuple[DeviceModel, GrpcStationCalls]]:
    servicer = DeviceModel()
    server = grpc.aio.server()
    device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    calls = GrpcStationCalls(f"127.0.0.1:{port}", None)
    yield servicer, calls
    await calls.close()
    await server.stop(None)


async def test_the_version_of_a_connected_station(device_model: tuple[DeviceModel, GrpcStationCalls]) -> None:
    servicer, calls = device_model
    servicer.stations["CS-1"] = device_model_pb2.Station(
        station_id="CS-1", ocpp_version=envelope_pb2.OCPP_VERSION_21, connected=True
    )
    assert await calls.connected_version("CS-1") is OcppVersion.V21


async def test_a_disconnected_or_unknown_station_is_offline(device_model: tuple[DeviceModel, GrpcStationCalls]) -> None:
    servicer, calls = device_model
    servicer.stations["CS-1"] = device_model_pb2.Station(station_id="CS-1", ocpp_version=envelope_pb2.OCPP_VERSION_16)
    with pytest.raises(StationOffline) as offline:
        await calls.connected_version("CS-1")
    assert (offline.value.status, str(offline.value)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "station CS-1 is offline",
    )
    with pytest.raises(StationOffline) as unknown:
        await calls.connected_version("CS-9")
    assert (unknown.value.status, str(unknown.value)) == (grpc.StatusCode.NOT_FOUND, "station CS-9 has never connected")


async def test_a_call_is_sent_as_its_action_and_payload_and_answered_typed(
    device_model: tuple[DeviceModel, GrpcStationCalls],
) -> None:
    servicer, calls = device_model
    answer = await calls.send("CS-1", START, 2.5)
    assert answer == Answered("m1", v201_result.RequestStartTransaction(status="Accepted"), {"status": "Accepted"})
    [(request, time_left)] = servicer.received
    assert (request.station_id, request.action, json.loads(request.payload_json), request.timeout_ms) == (
        "CS-1",
        "RequestStartTransaction",
        {"idToken": {"idToken": "T1", "type": "Central"}, "remoteStartId": 7},
        2500,
    )
    assert abs(time_left - rpc_deadline_s(2.5)) < 1 and rpc_deadline_s(2.5) == 2.5 + CALL_DEADLINE_MARGIN_S


async def test_a_callerror_is_raised_with_all_it_says(device_model: tuple[DeviceModel, GrpcStationCalls]) -> None:
    servicer, calls = device_model
    error = edge_pb2.CallError(code="NotSupported", description="no", details_json='{"a": 1}')
    servicer.reply = device_model_pb2.SendCallResponse(message_id="m2", error=error)
    with pytest.raises(CallErrorAnswer) as answered:
        await calls.send("CS-1", START, 1.0)
    got = answered.value
    assert (got.code, got.description, got.details_json, got.message_id, str(got)) == (
        "NotSupported",
        "no",
        '{"a": 1}',
        "m2",
        "NotSupported: no",
    )


@pytest.mark.parametrize(
    ("status", "raised", "message"),
    [
        (grpc.StatusCode.FAILED_PRECONDITION, StationOffline, "station CS-1 is offline"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, CallTimedOut, "station CS-1 is offline"),
        (grpc.StatusCode.INVALID_ARGUMENT, CallFailed, "device-model INVALID_ARGUMENT: station CS-1 is offline"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, CallFailed, "device-model RESOURCE_EXHAUSTED: station CS-1 is offline"),
    ],
)
async def test_no_answer_is_raised_with_device_models_status(
    device_model: tuple[DeviceModel, GrpcStationCalls], status: grpc.StatusCode, raised: type[Exception], message: str
) -> None:
    servicer, calls = device_model
    servicer.reply = (status, "station CS-1 is offline")
    with pytest.raises(raised) as failed:
        await calls.send("CS-1", START, 1.0)
    assert (type(failed.value), failed.value.status, str(failed.value)) == (raised, status, message)  # type: ignore[attr-defined]


async def test_an_answer_that_does_not_fit_the_result_type_fails(
    device_model: tuple[DeviceModel, GrpcStationCalls],
) -> None:
    servicer, calls = device_model
    servicer.reply = device_model_pb2.SendCallResponse(message_id="m3", result_json='{"state": "Accepted"}')
    with pytest.raises(CallFailed) as failed:
        await calls.send("CS-1", v16_call.RemoteStopTransaction(transaction_id=1), 1.0)
    assert str(failed.value) == "the station's answer to RemoteStopTransaction does not fit its result type"


async def test_only_ocpp_calls_are_sent(device_model: tuple[DeviceModel, GrpcStationCalls]) -> None:
    servicer, calls = device_model
    with pytest.raises(TypeError):
        await calls.send("CS-1", v201_result.RequestStartTransaction(status="Accepted"), 1.0)
    assert servicer.received == []


async def test_device_model_unreachable_fails_the_call() -> None:
    calls = GrpcStationCalls("127.0.0.1:1", None)
    with pytest.raises(CallFailed) as failed:
        await calls.send("CS-1", START, 0.5)
    await calls.close()
    assert failed.value.status == grpc.StatusCode.UNAVAILABLE
