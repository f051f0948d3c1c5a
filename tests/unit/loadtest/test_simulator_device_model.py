"""The simulator's device management (issue 12, item 7): a 2.x station's multi-part NotifyReport of exactly its
size, Get/SetVariables answered from and changing its own state, a 1.6 station's configuration keys, NotifyEvent
faults at the configured share, and the station sending the report parts one CALL at a time after answering
GetBaseReport. Every payload is checked against the official schemas."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from typing import Any

import pytest

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Behaviour, Mix
from loadtest.simulator.config import fault_probability
from loadtest.simulator.device_model import Configuration, DeviceModel, Responder
from loadtest.simulator.station import Station
from loadtest.simulator.stats import PhaseStats

AT = "2026-11-21T12:00:00.000Z"
V2 = (OcppVersion.V201, OcppVersion.V21)


def valid(version: OcppVersion, action: str, kind: MessageKind, payload: dict[str, Any]) -> None:
    validate(version, action, kind, payload)


def reported(parts: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [item for _, payload in parts for item in payload.get("reportData", [])]


def component(name: str, evse: int | None = None, connector: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name}
    if evse is not None:
        found["evse"] = {"id": evse} | ({"connectorId": connector} if connector else {})
    return found


@pytest.mark.parametrize("size", [1, 120, 300, 1000])
def test_a_full_inventory_reports_every_variable_once_in_numbered_parts(size: int) -> None:
    parts = DeviceModel(size, items_per_message=40).report(7, "FullInventory", AT)
    assert {action for action, _ in parts} == {"NotifyReport"}
    assert [payload["seqNo"] for _, payload in parts] == list(range(len(parts)))
    assert [payload["tbc"] for _, payload in parts] == [True] * (len(parts) - 1) + [False]
    assert {payload["requestId"] for _, payload in parts} == {7}
    assert all(len(payload["reportData"]) <= 40 for _, payload in parts)
    items = reported(parts)
    keys = {json.dumps([item["component"], item["variable"]], sort_keys=True) for item in items}
    assert len(items) == len(keys) == size
    for version in V2:
        for action, payload in parts:
            valid(version, action, MessageKind.REQUEST, payload)


def test_the_report_spans_realistic_components_with_attributes_and_characteristics() -> None:
    items = reported(DeviceModel(300).report(1, "FullInventory", AT))
    names = Counter(item["component"]["name"] for item in items)
    assert {"OCPPCommCtrlr", "SecurityCtrlr", "AuthCtrlr", "TxCtrlr", "ChargingStation", "EVSE", "Connector"} <= set(
        names
    )
    power = next(i for i in items if i["component"] == component("EVSE", 1) and i["variable"] == {"name": "Power"})
    assert [a["type"] for a in power["variableAttribute"]] == ["Actual", "MaxSet"]
    assert power["variableCharacteristics"] == {
        "dataType": "decimal",
        "supportsMonitoring": True,
        "unit": "W",
        "maxLimit": 22000,
    }
    password = next(i for i in items if i["variable"] == {"name": "BasicAuthPassword"})
    assert "value" not in password["variableAttribute"][0]  # WriteOnly values are never reported


def test_a_configuration_inventory_leaves_out_read_only_variables_and_a_summary_has_availability() -> None:
    device = DeviceModel(300)
    configuration = reported(device.report(1, "ConfigurationInventory", AT))
    assert configuration and all(i["variableAttribute"][0]["mutability"] != "ReadOnly" for i in configuration)
    summary = reported(device.report(1, "SummaryInventory", AT))
    assert {i["variable"]["name"] for i in summary} == {"AvailabilityState", "Available", "Problem"}


def test_get_variables_answers_from_the_model() -> None:
    device = DeviceModel(300)
    answer = device.get_variables(
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {"component": component("EVSE", 2), "variable": {"name": "Power"}, "attributeType": "MaxSet"},
                {"component": {"name": "NoSuchCtrlr"}, "variable": {"name": "Enabled"}},
                {"component": {"name": "AuthCtrlr"}, "variable": {"name": "NoSuchVariable"}},
                {"component": {"name": "AuthCtrlr"}, "variable": {"name": "Enabled"}, "attributeType": "Target"},
                {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}},
            ]
        }
    )
    results = answer["getVariableResult"]
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in results] == [
        ("Accepted", "300"),
        ("Accepted", "22000"),
        ("UnknownComponent", None),
        ("UnknownVariable", None),
        ("NotSupportedAttributeType", None),
        ("Rejected", None),
    ]
    for version in V2:
        valid(version, "GetVariables", MessageKind.RESPONSE, answer)


def test_set_variables_changes_the_model_and_refuses_what_it_must() -> None:
    device = DeviceModel(300)

    def change(name: str, value: str, comp: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        where = {"component": comp or {"name": "OCPPCommCtrlr"}, "variable": {"name": name}}
        return where | {"attributeValue": value} | extra

    answer = device.set_variables(
        {
            "setVariableData": [
                change("HeartbeatInterval", "60"),
                change("SecurityProfile", "2", {"name": "SecurityCtrlr"}),
                change("ResetRetries", "99"),
                change("QueueAllMessages", "maybe"),
                change("Power", "11000", component("EVSE", 1), attributeType="MaxSet"),
                change("Nope", "1"),
            ]
        }
    )
    assert [r["attributeStatus"] for r in answer["setVariableResult"]] == [
        "Accepted",
        "Rejected",
        "Rejected",
        "Rejected",
        "Accepted",
        "UnknownVariable",
    ]
    for version in V2:
        valid(version, "SetVariables", MessageKind.RESPONSE, answer)
    got = device.get_variables(
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "SecurityProfile"}},
                {"component": component("EVSE", 1), "variable": {"name": "Power"}, "attributeType": "MaxSet"},
            ]
        }
    )
    assert [r["attributeValue"] for r in got["getVariableResult"]] == ["60", "1", "11000"]
    reported_interval = next(
        i for i in reported(device.report(2, "FullInventory", AT)) if i["variable"] == {"name": "HeartbeatInterval"}
    )
    assert reported_interval["variableAttribute"][0]["value"] == "60"


def test_a_16_station_answers_get_and_change_configuration_from_its_keys() -> None:
    configuration = Configuration()
    everything = configuration.get_configuration({})
    assert len(everything["configurationKey"]) > 25 and "unknownKey" not in everything
    assert "AuthorizationKey" not in {key["key"] for key in everything["configurationKey"]}
    assert [
        configuration.change_configuration({"key": key, "value": value})["status"]
        for key, value in (
            ("HeartbeatInterval", "120"),
            ("NumberOfConnectors", "4"),
            ("MeterValueSampleInterval", "often"),
            ("NoSuchKey", "1"),
        )
    ] == ["Accepted", "Rejected", "Rejected", "NotSupported"]
    some = configuration.get_configuration({"key": ["HeartbeatInterval", "NumberOfConnectors", "Nope"]})
    assert some == {
        "configurationKey": [
            {"key": "HeartbeatInterval", "readonly": False, "value": "120"},
            {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
        ],
        "unknownKey": ["Nope"],
    }
    for payload in (everything, some):
        valid(OcppVersion.V16, "GetConfiguration", MessageKind.RESPONSE, payload)


def test_the_responder_answers_by_version_and_leaves_other_calls_to_the_defaults() -> None:
    v2 = Responder.for_version(False, 120, 50)
    answered = v2.answer("GetBaseReport", {"requestId": 3, "reportBase": "FullInventory"}, AT)
    assert answered is not None
    result, follow_ups = answered
    assert result == {"status": "Accepted"} and len(follow_ups) == 3
    assert v2.answer("GetConfiguration", {}, AT) is None and v2.answer("Reset", {"type": "Immediate"}, AT) is None
    v16 = Responder.for_version(True, 120, 50)
    assert v16.answer("GetBaseReport", {"requestId": 3, "reportBase": "FullInventory"}, AT) is None
    assert v16.answer("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "30"}, AT) == (
        {"status": "Accepted"},
        [],
    )


@pytest.mark.parametrize("version", V2)
def test_a_2x_station_raises_and_clears_faults_with_notify_event(version: OcppVersion) -> None:
    behaviour = Behaviour(
        "SIM-1",
        version,
        "TAG",
        Mix(sessions=False, start_probability=0, status_probability=0, fault_probability=1),
        random.Random(1),
    )
    sent = [behaviour.next_message(AT) for _ in range(4)]
    assert {action for action, _ in sent} == {"NotifyEvent"}
    events = [payload["eventData"][0] for _, payload in sent]
    assert [e["actualValue"] for e in events] == ["true", "false", "true", "false"]
    assert [e.get("cleared", False) for e in events] == [False, True, False, True]
    assert [e["eventId"] for e in events] == [1, 2, 3, 4]
    for _, payload in sent:
        valid(version, "NotifyEvent", MessageKind.REQUEST, payload)


def test_faults_come_at_the_configured_share_and_never_from_16_stations() -> None:
    mix = Mix(sessions=False, start_probability=0, status_probability=0, fault_probability=0.25)
    v201 = Behaviour("SIM-1", OcppVersion.V201, "TAG", mix, random.Random(1))
    share = Counter(v201.next_message(AT)[0] for _ in range(4000))["NotifyEvent"] / 4000
    assert 0.22 < share < 0.28
    v16 = Behaviour("SIM-2", OcppVersion.V16, "TAG", mix, random.Random(1))
    assert {v16.next_message(AT)[0] for _ in range(200)} == {"Heartbeat"}


def test_the_fault_rate_becomes_a_share_of_the_2x_stations_calls() -> None:
    mix = ((OcppVersion.V16, 50.0), (OcppVersion.V201, 50.0))
    assert fault_probability(10, 100, mix) == pytest.approx(0.2)
    assert fault_probability(1000, 100, mix) == 1.0
    assert fault_probability(10, 100, ((OcppVersion.V16, 1.0),)) == 0.0
    assert fault_probability(0, 100, mix) == 0.0


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[list[Any]] = []
        self.written = asyncio.Event()

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))
        self.written.set()

    async def close(self) -> None:
        return None


async def next_frame(ws: FakeSocket, count: int) -> list[Any]:
    while len(ws.sent) < count:
        ws.written.clear()
        await asyncio.wait_for(ws.written.wait(), 5)
    return ws.sent[count - 1]


async def test_the_station_answers_get_base_report_then_sends_the_parts_one_call_at_a_time() -> None:
    phase = PhaseStats("steady", 0.0)
    station = Station(
        "SIM-1",
        OcppVersion.V201,
        Behaviour("SIM-1", OcppVersion.V201, "TAG", Mix(), random.Random(1)),
        lambda: phase,
        call_timeout_s=5,
        responder=Responder.for_version(False, 120, 50),
        clock=lambda: AT,
    )
    ws = FakeSocket()
    station._ws = ws  # type: ignore[assignment]
    await station._on_frame(ws, [2, "c1", "GetBaseReport", {"requestId": 9, "reportBase": "FullInventory"}])  # type: ignore[arg-type]
    assert ws.sent[0] == [3, "c1", {"status": "Accepted"}]
    seq_nos = []
    for n in range(3):
        frame = await next_frame(ws, n + 2)
        assert frame[0] == 2 and frame[2] == "NotifyReport"
        seq_nos.append(frame[3]["seqNo"])
        await asyncio.sleep(0.01)
        assert len(ws.sent) == n + 2  # the next part waits for this one's answer
        await station._on_frame(ws, [3, frame[1], {}])  # type: ignore[arg-type]
    assert seq_nos == [0, 1, 2]
    await asyncio.sleep(0.01)
    assert phase.calls["NotifyReport"] == 3 and phase.results == 3
    await station.close()
