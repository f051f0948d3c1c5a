"""Operator commands end to end through the HTTP API (`POST /api/v1/stations/{id}/commands/{command}`, then
device-model's SendCommand and the station): every command against a 1.6, a 2.0.1 and a 2.1 station (the `ocpp`
package's clients), the neutral result and what the station received; a command sent without waiting (202 and
`Location`, then answered); commands queued for an offline station delivered after it connects and boots, in
order, with their events on Kafka, an expired one reported expired and never sent; refusals as problems (unknown
command 404, invalid params 422 naming the field, what the version cannot express 422, offline 409); and `csms
command` printing the neutral result."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_devtools.stack import Stack
from csms_kernel.infra import topics
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import command, problem, register, send_command, unique
from kit.kafka_log import end_offsets, read_committed
from kit.stack import PASSWORD, Cli, connected
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


async def get_command(http: httpx.AsyncClient, command_id: str) -> dict[str, Any]:
    answer = await http.get(f"/api/v1/commands/{command_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize("version", [V16, V201, V21])
async def test_every_command_in_one_shape(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-CMD-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        for name, params, result, received in CASES_16 if version is V16 else CASES_2X:
            station.received.calls.clear()
            record = await command(operator, station_id, name, params)
            assert (record["state"], record["result"], record["params"]) == ("answered", result, params), name
            assert station.received.calls == [received], name
            assert record["ocpp_version"] == {V16: "1.6", V201: "2.0.1", V21: "2.1"}[version]
            (frame,) = record["response"]
            assert frame[0] == 3 and record["request"][0]["action"] == received[0]
            assert await get_command(operator, record["command_id"]) == record
        raw_params, raw_result = RAW[version]
        assert (await command(operator, station_id, "raw", raw_params))["result"] == raw_result
        if version is V16:
            assert station.configuration["HeartbeatInterval"] == "120"
        else:
            assert station.variables[("SampledDataCtrlr", "TxUpdatedInterval")] == "30"

        station.received.calls.clear()
        later = await send_command(operator, station_id, "clear-cache", {}, wait=False)
        assert later.status_code in (200, 202), later.text
        if later.status_code == 202:
            assert later.headers["location"] == f"/api/v1/commands/{later.json()['command_id']}"
        done = await eventually(
            lambda: get_command(operator, later.json()["command_id"]),
            lambda c: c["state"] == "answered",
            what="the command sent without waiting answered",
        )
        assert (done["result"], station.received.calls) == ({"status": "accepted"}, [("ClearCache", {})])

    listed = (await operator.get(f"/api/v1/stations/{station_id}/commands", params={"limit": 100})).json()
    assert [c["command"] for c in reversed(listed["items"])] == [
        c[0] for c in (CASES_16 if version is V16 else CASES_2X)
    ] + ["raw", "clear-cache"]


async def test_commands_queued_for_an_offline_station_go_once_it_is_back_in_order(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-QUEUE")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)

    async def is_offline() -> bool:
        found = (await admin.get(f"/api/v1/stations/{station_id}")).json()
        return found["connected"] is False

    await eventually(is_offline, bool, what="offline")
    problem(await send_command(operator, station_id, "clear-cache", {}), 409)

    start = await end_offsets(stack.config.kafka_bootstrap, topics.DEVICE_MODEL_EVENTS)
    commands: list[tuple[str, dict[str, Any], float]] = [
        ("clear-cache", {}, 600),
        ("reset", {"type": "on_idle"}, 3),  # expires before the station is back
        ("trigger-message", {"message": "heartbeat"}, 600),
        ("data-transfer", {"vendor_id": "ACME", "data": 3}, 600),
    ]
    queued = []
    for name, params, expires_in in commands:
        answer = await send_command(operator, station_id, name, params, queue_if_offline=True, expires_in=expires_in)
        assert answer.status_code == 202, answer.text
        assert answer.headers["location"] == f"/api/v1/commands/{answer.json()['command_id']}"
        queued.append(answer.json())
    assert [c["state"] for c in queued] == ["queued"] * 4
    expiring = queued[1]["command_id"]

    async def state_of(command_id: str) -> str:
        return str((await get_command(operator, command_id))["state"])

    await eventually(lambda: state_of(expiring), lambda s: s == "expired", what="expired on read")

    async with connected_station(stack.config.edge_url(1), station_id, PASSWORD, V201) as station:
        assert (await station.boot()).status == "Accepted"
        delivered = [c["command_id"] for c in queued if c["command_id"] != expiring]
        for command_id in delivered:
            await eventually(
                lambda command_id=command_id: state_of(command_id),  # type: ignore[misc]
                lambda s: s == "answered",
                timeout_s=60,
                what=f"{command_id} answered",
            )
        assert [name for name, _ in station.received.calls] == ["ClearCache", "TriggerMessage", "DataTransfer"]
    assert await state_of(expiring) == "expired"

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
        ("reboot", {}, 404, "unknown command 'reboot'"),
        ("unlock-connector", {"evse_id": 1}, 422, "params.connector_id: is required"),
        ("trigger-message", {"message": 7}, 422, "params.message: must be a non-empty"),
        ("reset", {"type": "on_idle"}, 422, "OCPP 1.6 has no on_idle reset"),
        ("reset", {"type": "soft", "evse_id": 1}, 422, "resets the whole station"),
        ("raw", {"action": "BootNotification"}, 422, "sent by stations to the CSMS"),
    ],
)
async def test_refusals(
    stack: Stack,
    admin: httpx.AsyncClient,
    operator: httpx.AsyncClient,
    command: str,
    params: dict[str, Any],
    status: int,
    message: str,
) -> None:
    station_id = await register(admin, "E2E-REFUSE")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V16) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        assert message in problem(await send_command(operator, station_id, command, params), status)["detail"]
        assert station.received.calls == []


async def test_unknown_station_and_command_ids_are_not_found(operator: httpx.AsyncClient) -> None:
    problem(await send_command(operator, unique("E2E-NOBODY"), "clear-cache", {}), 404)
    problem(await operator.get(f"/api/v1/commands/{unique('nothing')}"), 404)
    missing_expiry = problem(
        await send_command(operator, unique("E2E-NOBODY"), "clear-cache", {}, queue_if_offline=True), 422
    )
    assert "expires_in" in missing_expiry["detail"]


async def test_the_cli(stack: Stack, cli: Cli, admin: httpx.AsyncClient) -> None:
    station_id = await register(admin, "E2E-CLICMD")
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
