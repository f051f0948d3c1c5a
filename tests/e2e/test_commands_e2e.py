"""Operator commands on the real stack through gRPC SendCommand: every command against a 1.6, a 2.0.1 and a 2.1
station (the `ocpp` package's clients), the neutral result and what the station received; commands queued for
an offline station delivered after it connects and boots, in order, with their events on Kafka, an expired one
reported expired and never sent; refusals (unknown command, invalid params naming the field, what the version
cannot express); and `csms command` printing the neutral result."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.device_model.v1 import device_model_pb2 as pb
from csms.device_model.v1 import device_model_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import insecure_channel
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.kafka_log import end_offsets, read_committed
from kit.stack import PASSWORD, Cli, connected, get_station
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
Case = tuple[str, dict[str, Any], dict[str, Any], tuple[str, dict[str, Any]]]

CASES_16: list[Case] = [
    ("reset", {"type": "hard"}, {"status": "accepted"}, ("Reset", {"type": "Hard"})),
    (
        "change-availability",
        {"operational": False, "evse_id": 1},
        {"status": "accepted"},
        ("ChangeAvailability", {"connectorId": 1, "type": "Inoperative"}),
    ),
    (
        "unlock-connector",
        {"evse_id": 2, "connector_id": 1},
        {"status": "unlocked"},
        ("UnlockConnector", {"connectorId": 2}),
    ),
    (
        "trigger-message",
        {"message": "heartbeat"},
        {"status": "accepted"},
        ("TriggerMessage", {"requestedMessage": "Heartbeat"}),
    ),
    ("clear-cache", {}, {"status": "accepted"}, ("ClearCache", {})),
    (
        "get-configuration",
        {"keys": ["HeartbeatInterval", "SampledDataCtrlr.TxUpdatedInterval", "Nope"]},
        {
            "configuration": [
                {"key": "HeartbeatInterval", "value": "300", "readonly": False},
                {"key": "SampledDataCtrlr.TxUpdatedInterval", "value": "60", "readonly": False},
            ],
            "unknown_keys": ["Nope"],
            "rejected": [],
        },
        ("GetConfiguration", {"key": ["HeartbeatInterval", "MeterValueSampleInterval", "Nope"]}),
    ),
    (
        "set-configuration",
        {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": 120},
        {"results": [{"key": "OCPPCommCtrlr.HeartbeatInterval", "status": "accepted"}]},
        ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}),
    ),
    (
        "data-transfer",
        {"vendor_id": "ACME", "message_id": "ping", "data": {"n": 1}},
        {"status": "accepted", "data": '{"n":1}'},
        ("DataTransfer", {"vendorId": "ACME", "message_id": "ping", "data": '{"n":1}'}),
    ),
]

CASES_2X: list[Case] = [
    ("reset", {"type": "immediate"}, {"status": "accepted"}, ("Reset", {"type": "Immediate"})),
    (
        "change-availability",
        {"operational": False, "evse_id": 1, "connector_id": 1},
        {"status": "accepted"},
        ("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 1, "connector_id": 1}}),
    ),
    (
        "unlock-connector",
        {"evse_id": 1, "connector_id": 2},
        {"status": "unlocked"},
        ("UnlockConnector", {"evseId": 1, "connectorId": 2}),
    ),
    (
        "trigger-message",
        {"message": "status_notification", "evse_id": 1, "connector_id": 1},
        {"status": "accepted"},
        ("TriggerMessage", {"requestedMessage": "StatusNotification"}),
    ),
    ("clear-cache", {}, {"status": "accepted"}, ("ClearCache", {})),
    (
        "get-configuration",
        {"keys": ["HeartbeatInterval", "OCPPCommCtrlr.Nope"]},
        {
            "configuration": [{"key": "HeartbeatInterval", "value": "300"}],
            "unknown_keys": ["OCPPCommCtrlr.Nope"],
            "rejected": [],
        },
        (
            "GetVariables",
            {
                "getVariableData": [
                    {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                    {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "Nope"}},
                ]
            },
        ),
    ),
    (
        "set-configuration",
        {"settings": [{"key": "MeterValueSampleInterval", "value": 30}]},
        {"results": [{"key": "MeterValueSampleInterval", "status": "accepted"}]},
        (
            "SetVariables",
            {
                "setVariableData": [
                    {
                        "attribute_value": "30",
                        "component": {"name": "SampledDataCtrlr"},
                        "variable": {"name": "TxUpdatedInterval"},
                    }
                ]
            },
        ),
    ),
    (
        "data-transfer",
        {"vendor_id": "ACME", "data": {"n": 1}},
        {"status": "accepted", "data": {"n": 1}},
        ("DataTransfer", {"vendorId": "ACME", "data": {"n": 1}}),
    ),
]

RAW = {
    V16: ({"action": "GetLocalListVersion"}, {"listVersion": 0}),
    V201: ({"action": "GetLocalListVersion"}, {"versionNumber": 0}),
    V21: ({"action": "GetLocalListVersion", "payload": {}}, {"versionNumber": 0}),
}


@pytest.fixture
async def device_model(stack: Stack) -> AsyncIterator[device_model_pb2_grpc.DeviceModelServiceStub]:
    async with insecure_channel(stack.config.device_model_address) as channel:
        yield device_model_pb2_grpc.DeviceModelServiceStub(channel)


async def register(authorization: authorization_pb2_grpc.AuthorizationServiceStub, station_id: str) -> None:
    await authorization.RegisterStation(
        authorization_pb2.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1)
    )


async def send(
    stub: device_model_pb2_grpc.DeviceModelServiceStub,
    station_id: str,
    command: str,
    params: dict[str, Any],
    **more: Any,
) -> pb.Command:
    request = pb.SendCommandRequest(
        station_id=station_id, command=command, params_json=json.dumps(params), timeout_ms=15000, **more
    )
    return (await stub.SendCommand(request, timeout=30)).command


@pytest.mark.parametrize("version", [V16, V201, V21])
async def test_every_command_in_one_shape(
    stack: Stack,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
    device_model: device_model_pb2_grpc.DeviceModelServiceStub,
    version: OcppVersion,
) -> None:
    station_id = f"E2E-CMD-{version.schema_dir}-{uuid.uuid4().hex[:8]}".upper()
    await register(authorization, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        for name, params, result, received in CASES_16 if version is V16 else CASES_2X:
            station.received.calls.clear()
            command = await send(device_model, station_id, name, params, wait=True)
            assert (command.state, json.loads(command.result_json)) == (pb.COMMAND_STATE_ANSWERED, result), name
            assert station.received.calls == [received], name
            (frame,) = json.loads(command.response_json)
            assert frame[0] == 3 and json.loads(command.request_json)[0]["action"] == received[0]
            assert (
                await device_model.GetCommand(pb.GetCommandRequest(command_id=command.command_id))
            ).command == command
        raw_params, raw_result = RAW[version]
        command = await send(device_model, station_id, "raw", raw_params, wait=True)
        assert json.loads(command.result_json) == raw_result
        if version is V16:
            assert station.configuration["HeartbeatInterval"] == "120"
        else:
            assert station.variables[("SampledDataCtrlr", "TxUpdatedInterval")] == "30"

    listed = await device_model.ListCommands(pb.ListCommandsRequest(station_id=station_id, page_size=100))
    assert [c.command for c in reversed(listed.commands)] == [
        c[0] for c in (CASES_16 if version is V16 else CASES_2X)
    ] + ["raw"]


async def test_commands_queued_for_an_offline_station_go_once_it_is_back_in_order(
    stack: Stack,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
    device_model: device_model_pb2_grpc.DeviceModelServiceStub,
) -> None:
    station_id = f"E2E-QUEUE-{uuid.uuid4().hex[:8]}".upper()
    await register(authorization, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
    await eventually(
        lambda: get_station(stack, station_id), lambda s: s is not None and not s.connected, what="offline"
    )

    start = await end_offsets(stack.config.kafka_bootstrap, topics.DEVICE_MODEL_EVENTS)
    commands: list[tuple[str, dict[str, Any], float]] = [
        ("clear-cache", {}, 600),
        ("reset", {"type": "on_idle"}, 3),  # expires before the station is back
        ("trigger-message", {"message": "heartbeat"}, 600),
        ("data-transfer", {"vendor_id": "ACME", "data": 3}, 600),
    ]
    queued = []
    for name, params, expires_in in commands:
        expires_at = timestamp(datetime.now(UTC) + timedelta(seconds=expires_in))
        queued.append(
            await send(device_model, station_id, name, params, wait=True, queue_if_offline=True, expires_at=expires_at)
        )
    assert [c.state for c in queued] == [pb.COMMAND_STATE_QUEUED] * 4
    expiring = queued[1].command_id

    async def state_of(command_id: str) -> int:
        return (await device_model.GetCommand(pb.GetCommandRequest(command_id=command_id))).command.state

    await eventually(lambda: state_of(expiring), lambda s: s == pb.COMMAND_STATE_EXPIRED, what="expired on read")

    async with connected_station(stack.config.edge_url(1), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        delivered = [c.command_id for c in queued if c.command_id != expiring]
        for command_id in delivered:
            await eventually(
                lambda command_id=command_id: state_of(command_id),  # type: ignore[misc]
                lambda s: s == pb.COMMAND_STATE_ANSWERED,
                timeout_s=60,
                what=f"{command_id} answered",
            )
        assert [name for name, _ in station.received.calls] == ["ClearCache", "TriggerMessage", "DataTransfer"]
    assert await state_of(expiring) == pb.COMMAND_STATE_EXPIRED

    async def events() -> list[tuple[str, str | None]]:
        found = []
        for value in await read_committed(stack.config.kafka_bootstrap, start):
            event = pb.DeviceModelEvent.FromString(value)
            which = event.WhichOneof("event")
            if event.station_id == station_id and which and which.startswith("command_"):
                found.append((getattr(event, which).command.command_id, which))
        return found

    expected = {(c, s) for c in delivered for s in ("command_queued", "command_sent", "command_answered")}
    expected |= {(expiring, "command_queued"), (expiring, "command_expired")}
    seen = await eventually(events, lambda found: expected <= set(found), timeout_s=60, what="command events")
    assert set(seen) == expected
    for command_id in delivered:
        assert [s for c, s in seen if c == command_id][:3] == ["command_queued", "command_sent", "command_answered"]


@pytest.mark.parametrize(
    ("command", "params", "status", "message"),
    [
        ("reboot", {}, grpc.StatusCode.NOT_FOUND, "unknown command 'reboot'"),
        ("unlock-connector", {"evse_id": 1}, grpc.StatusCode.INVALID_ARGUMENT, "params.connector_id: is required"),
        ("trigger-message", {"message": 7}, grpc.StatusCode.INVALID_ARGUMENT, "params.message: must be a non-empty"),
        ("reset", {"type": "on_idle"}, grpc.StatusCode.INVALID_ARGUMENT, "OCPP 1.6 has no on_idle reset"),
        ("reset", {"type": "soft", "evse_id": 1}, grpc.StatusCode.INVALID_ARGUMENT, "resets the whole station"),
        ("raw", {"action": "BootNotification"}, grpc.StatusCode.INVALID_ARGUMENT, "sent by stations to the CSMS"),
    ],
)
async def test_refusals(
    stack: Stack,
    authorization: authorization_pb2_grpc.AuthorizationServiceStub,
    device_model: device_model_pb2_grpc.DeviceModelServiceStub,
    command: str,
    params: dict[str, Any],
    status: grpc.StatusCode,
    message: str,
) -> None:
    station_id = f"E2E-REFUSE-{uuid.uuid4().hex[:8]}".upper()
    await register(authorization, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V16) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await send(device_model, station_id, command, params, wait=True)
        assert refused.value.code() == status
        assert message in (refused.value.details() or "")
        assert station.received.calls == []


async def test_the_cli(stack: Stack, cli: Cli, authorization: authorization_pb2_grpc.AuthorizationServiceStub) -> None:
    station_id = f"E2E-CLICMD-{uuid.uuid4().hex[:8]}".upper()
    await register(authorization, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V21) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        done = await asyncio.to_thread(cli, "command", "get-configuration", station_id, "HeartbeatInterval")
        assert (done.returncode, json.loads(done.stdout)) == (
            0,
            {"configuration": [{"key": "HeartbeatInterval", "value": "300"}], "unknown_keys": [], "rejected": []},
        ), done.stderr
        refused = await asyncio.to_thread(cli, "command", "reset", station_id, "--type", "hard")
        assert (refused.returncode, "OCPP 2.1 has no hard reset" in refused.stderr) == (4, True), refused.stderr
    listed = await asyncio.to_thread(cli, "command", "list", station_id, "--json")
    assert [c["command"] for c in json.loads(listed.stdout)] == ["get-configuration"]
