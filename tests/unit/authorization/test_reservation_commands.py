"""`GrpcReservationCommands` against an in-process DeviceModelService on loopback: the SendCommand it makes (sent
now, never queued, waiting for the station, the idempotency key), the station's status it returns (None without an
answer), and device-model's refusals as `CommandNotSent` of the right kind."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms.device_model.v1 import device_model_pb2_grpc
from csms_authorization.adapters.reservation_commands import GrpcReservationCommands
from csms_authorization.ports import CommandNotSent, SendFailure

Context = grpc.aio.ServicerContext[Any, Any]


@dataclass
class DeviceModel(device_model_pb2_grpc.DeviceModelServiceServicer):
    refusal: tuple[grpc.StatusCode, str] | None = None
    answer: dm.Command = field(
        default_factory=lambda: dm.Command(state=dm.COMMAND_STATE_ANSWERED, result_json='{"status": "occupied"}')
    )
    received: list[dm.SendCommandRequest] = field(default_factory=list)

    async def SendCommand(self, request: dm.SendCommandRequest, context: Context) -> dm.SendCommandResponse:
        self.received.append(request)
        if self.refusal is not None:
            await context.abort(*self.refusal)
        return dm.SendCommandResponse(command=self.answer)


@pytest.fixture
async def device_model() -> AsyncIterator[tuple[DeviceModel, GrpcReservationCommands]]:
    servicer = DeviceModel()
    server = grpc.aio.server()
    device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    commands = GrpcReservationCommands(f"127.0.0.1:{port}", 5.0, None)
    yield servicer, commands
    await commands.close()
    await server.stop(None)


async def test_sent_now_waiting_for_the_station(device_model: tuple[DeviceModel, GrpcReservationCommands]) -> None:
    servicer, commands = device_model
    answer = await commands.send("CS-1", "reserve-now", {"reservation_id": 3}, "reservation:reserve:CS-1:3", 7.5)
    assert answer == "occupied"
    [request] = servicer.received
    assert (request.station_id, request.command, json.loads(request.params_json)) == (
        "CS-1",
        "reserve-now",
        {"reservation_id": 3},
    )
    assert (request.wait, request.timeout_ms, request.queue_if_offline) == (True, 7500, False)
    assert request.idempotency_key == "reservation:reserve:CS-1:3"


@pytest.mark.parametrize(
    "command", [dm.Command(state=dm.COMMAND_STATE_FAILED, failure="timeout"), dm.Command(state=dm.COMMAND_STATE_SENT)]
)
async def test_no_answer_is_none(
    device_model: tuple[DeviceModel, GrpcReservationCommands], command: dm.Command
) -> None:
    servicer, commands = device_model
    servicer.answer = command
    assert await commands.send("CS-1", "cancel-reservation", {"reservation_id": 3}, "k", 1.0) is None


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        (grpc.StatusCode.NOT_FOUND, SendFailure.UNKNOWN_STATION),
        (grpc.StatusCode.FAILED_PRECONDITION, SendFailure.OFFLINE),
        (grpc.StatusCode.INVALID_ARGUMENT, SendFailure.INVALID),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, SendFailure.UNAVAILABLE),
    ],
)
async def test_refusals_keep_their_kind(
    device_model: tuple[DeviceModel, GrpcReservationCommands], code: grpc.StatusCode, failure: SendFailure
) -> None:
    servicer, commands = device_model
    servicer.refusal = (code, "station CS-1 is not connected")
    with pytest.raises(CommandNotSent, match="station CS-1 is not connected") as raised:
        await commands.send("CS-1", "reserve-now", {}, "k", 1.0)
    assert raised.value.failure is failure
