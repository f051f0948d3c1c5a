"""SendCommand, GetCommand and ListCommands of the wired servicer over fakes: the record as the contract's
Command, and every refusal with its status and a message naming the problem."""

from __future__ import annotations

import json
from datetime import timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms.envelope.v1 import envelope_pb2
from csms_device_model.ports import CallResult
from csms_kernel.infra.envelopes import timestamp
from kit.builders.device_model import NOW, CommandsWorld
from kit.fakes.grpc_context import CONTEXT, Aborted


@pytest.fixture
def world() -> CommandsWorld:
    found = CommandsWorld()
    found.connect("CS-1")
    return found


async def test_send_waits_for_the_answer_and_get_and_list_read_it_back(world: CommandsWorld) -> None:
    world.edges.outcomes.append(CallResult("m-1", '{"status": "Accepted"}'))
    servicer = world.servicer()
    request = pb.SendCommandRequest(
        station_id="CS-1", command="reset", params_json='{"type": "soft"}', timeout_ms=5000, wait=True
    )
    command = (await servicer.SendCommand(request, CONTEXT)).command
    assert (command.station_id, command.command, command.state, command.ocpp_version) == (
        "CS-1",
        "reset",
        pb.COMMAND_STATE_ANSWERED,
        envelope_pb2.OCPP_VERSION_16,
    )
    assert json.loads(command.params_json) == {"type": "soft"}
    assert json.loads(command.request_json) == [{"action": "Reset", "payload": {"type": "Soft"}}]
    assert json.loads(command.response_json) == [[3, "m-1", {"status": "Accepted"}]]
    assert json.loads(command.result_json) == {"status": "accepted"}
    assert (command.timeout_ms, command.created_at, command.HasField("expires_at")) == (5000, timestamp(NOW), False)
    assert world.edges.calls[0][3] == 5.0

    got = await servicer.GetCommand(pb.GetCommandRequest(command_id=command.command_id), CONTEXT)
    assert got.command == command
    listed = await servicer.ListCommands(pb.ListCommandsRequest(station_id="CS-1"), CONTEXT)
    assert (list(listed.commands), listed.next_page_token) == ([command], "")


async def test_a_command_queued_for_an_offline_station(world: CommandsWorld) -> None:
    world.disconnect("CS-1")
    request = pb.SendCommandRequest(
        station_id="CS-1",
        command="clear-cache",
        wait=True,
        queue_if_offline=True,
        expires_at=timestamp(NOW + timedelta(minutes=10)),
    )
    command = (await world.servicer().SendCommand(request, CONTEXT)).command
    assert (command.state, command.expires_at, command.timeout_ms) == (
        pb.COMMAND_STATE_QUEUED,
        timestamp((NOW + timedelta(minutes=10)).replace(microsecond=124000)),
        30000,
    )
    assert world.edges.calls == []


@pytest.mark.parametrize(
    ("request_", "status", "message"),
    [
        (pb.SendCommandRequest(command="reset"), grpc.StatusCode.INVALID_ARGUMENT, "station_id is required"),
        (
            pb.SendCommandRequest(station_id="CS-1", command="reset", params_json="{nope"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "params_json is not valid JSON",
        ),
        (
            pb.SendCommandRequest(station_id="CS-1", command="fly"),
            grpc.StatusCode.NOT_FOUND,
            "unknown command 'fly'",
        ),
        (
            pb.SendCommandRequest(station_id="CS-2", command="clear-cache"),
            grpc.StatusCode.NOT_FOUND,
            "station CS-2 has never connected",
        ),
        (
            pb.SendCommandRequest(station_id="CS-1", command="unlock-connector", params_json='{"evse_id": 1}'),
            grpc.StatusCode.INVALID_ARGUMENT,
            "params.connector_id: is required",
        ),
        (
            pb.SendCommandRequest(station_id="CS-1", command="reset", params_json='{"type": "on_idle"}'),
            grpc.StatusCode.INVALID_ARGUMENT,
            "OCPP 1.6 has no on_idle reset",
        ),
    ],
)
async def test_refusals(
    world: CommandsWorld, request_: pb.SendCommandRequest, status: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        await world.servicer().SendCommand(request_, CONTEXT)
    assert (aborted.value.code, message in aborted.value.details) == (status, True), aborted.value.details


async def test_offline_without_queueing_is_a_failed_precondition(world: CommandsWorld) -> None:
    world.disconnect("CS-1")
    with pytest.raises(Aborted) as aborted:
        await world.servicer().SendCommand(pb.SendCommandRequest(station_id="CS-1", command="clear-cache"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.FAILED_PRECONDITION


async def test_reads_that_find_nothing(world: CommandsWorld) -> None:
    servicer = world.servicer()
    with pytest.raises(Aborted) as unknown:
        await servicer.GetCommand(pb.GetCommandRequest(command_id="nope"), CONTEXT)
    assert unknown.value.code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(Aborted) as no_station:
        await servicer.ListCommands(pb.ListCommandsRequest(), CONTEXT)
    assert no_station.value.code == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(Aborted) as bad_token:
        await servicer.ListCommands(pb.ListCommandsRequest(station_id="CS-1", page_token="%%"), CONTEXT)
    assert (bad_token.value.code, bad_token.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
    assert (await servicer.ListCommands(pb.ListCommandsRequest(station_id="CS-1"), CONTEXT)).commands == []
