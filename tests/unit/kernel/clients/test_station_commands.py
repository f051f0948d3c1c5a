"""`StationCommandsClient` against an in-process DeviceModelService on loopback: the SendCommand it makes (params
as JSON, no wait, the queue flag, the expiry only when given, the idempotency key), the recorded command it
returns, and a refusal as `CommandRefused` with its status and whether a retry may help."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients.station_commands import CommandRefused, StationCommandsClient
from csms_kernel.infra.envelopes import timestamp

Context = grpc.aio.ServicerContext[Any, Any]
EXPIRY = datetime(2026, 12, 7, 12, tzinfo=UTC)


@dataclass
class DeviceModel(device_model_pb2_grpc.DeviceModelServiceServicer):
    refusal: tuple[grpc.StatusCode, str] | None = None
    received: list[device_model_pb2.SendCommandRequest] = field(default_factory=list)

    async def SendCommand(
        self, request: device_model_pb2.SendCommandRequest, context: Context
    ) -> device_model_pb2.SendCommandResponse:
        self.received.append(request)
        if self.refusal is not None:
            await context.abort(*self.refusal)
        command = device_model_pb2.Command(
            command_id="c-1", station_id=request.station_id, command=request.command, params_json=request.params_json
        )
        return device_model_pb2.SendCommandResponse(command=command)


@pytest.fixture
async def device_model() -> AsyncIterator[tuple[DeviceModel, StationCommandsClient]]:
    servicer = DeviceModel()
    server = grpc.aio.server()
    device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    client = StationCommandsClient(f"127.0.0.1:{port}", 5.0, None)
    yield servicer, client
    await client.close()
    await server.stop(None)


async def test_a_command_is_handed_over_and_returned(device_model: tuple[DeviceModel, StationCommandsClient]) -> None:
    servicer, client = device_model
    command = await client.send(
        "CS-1",
        "update-firmware",
        {"location": "https://fw/x"},
        idempotency_key="firmware:k",
        queue_if_offline=True,
        expires_at=EXPIRY,
    )
    assert (command.command_id, command.command) == ("c-1", "update-firmware")
    [request] = servicer.received
    assert (request.station_id, request.command, json.loads(request.params_json)) == (
        "CS-1",
        "update-firmware",
        {"location": "https://fw/x"},
    )
    assert (request.wait, request.queue_if_offline, request.idempotency_key) == (False, True, "firmware:k")
    assert request.expires_at == timestamp(EXPIRY)


async def test_no_expiry_when_none_is_given(device_model: tuple[DeviceModel, StationCommandsClient]) -> None:
    servicer, client = device_model
    await client.send("CS-1", "get-log", {}, idempotency_key="k", queue_if_offline=False, expires_at=None)
    assert not servicer.received[0].HasField("expires_at")


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, False),
        (grpc.StatusCode.NOT_FOUND, False),
        (grpc.StatusCode.FAILED_PRECONDITION, True),
        (grpc.StatusCode.UNAVAILABLE, True),
    ],
)
async def test_a_refusal_keeps_its_status(
    device_model: tuple[DeviceModel, StationCommandsClient], code: grpc.StatusCode, retryable: bool
) -> None:
    servicer, client = device_model
    servicer.refusal = (code, "no such station")
    with pytest.raises(CommandRefused) as refused:
        await client.send("CS-1", "reset", {}, idempotency_key="k", queue_if_offline=False, expires_at=None)
    assert (refused.value.code, refused.value.retryable) == (code, retryable)
    assert str(refused.value) == f"device-model refused reset for CS-1: {code.name} no such station"


async def test_wait_asks_device_model_to_answer_after_the_station(
    device_model: tuple[DeviceModel, StationCommandsClient],
) -> None:
    servicer, client = device_model
    await client.send("CS-1", "set-charging-profile", {}, idempotency_key="k", queue_if_offline=False, expires_at=None)
    await client.send(
        "CS-1", "set-charging-profile", {}, idempotency_key="k2", queue_if_offline=False, expires_at=None, wait_s=12.5
    )
    assert [(r.wait, r.timeout_ms) for r in servicer.received] == [(False, 0), (True, 12_500)]
