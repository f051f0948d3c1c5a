"""The inventory read models' writes (projections/inventory.py): report parts per attribute, characteristics,
the part itself; report commands (requested, answer, failure); get-configuration / set-configuration answers per
attribute in 2.x and 1.6 (component OCPP16); nothing for other commands or secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from csms.device_model.v1 import device_model_pb2 as dm
from csms_device_model.domain.commands.messages import event
from csms_device_model.domain.commands.record import CallError, CommandState, OcppCall
from csms_device_model.projections import device, inventory
from csms_device_model.projections.inventory import (
    ATTRIBUTE,
    CHARACTERISTICS,
    MUTABILITY,
    PART,
    READ,
    REPORT_COMMAND,
    REPORT_OUTCOME,
    SET,
    VALUE,
)
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import Write, micros
from kit.builders.device_model import NOW, a_command

GENERATED = datetime(2026, 11, 21, 11, tzinfo=UTC)
SENT = NOW + timedelta(seconds=1)
DONE = NOW + timedelta(seconds=2)
TS = micros(NOW)


def part_event(**fields: Any) -> dm.DeviceModelEvent:
    return dm.DeviceModelEvent(
        station_id="CS-1",
        message_id="m-1",
        occurred_at=timestamp(NOW),
        report_part_received=dm.ReportPartReceived(generated_at=timestamp(GENERATED), **fields),
    )


def test_a_part_writes_every_attribute_its_characteristics_and_the_part() -> None:
    found = part_event(
        request_id=42,
        seq_no=3,
        tbc=True,
        variables=[
            dm.ReportedVariable(
                component="EVSE",
                evse_id=1,
                connector_id=2,
                variable="Power",
                variable_instance="L1",
                attributes=[
                    dm.ReportedAttribute(type="Actual", value="11", mutability="ReadOnly", persistent=True),
                    dm.ReportedAttribute(type="MaxSet", value="22", mutability="ReadWrite", constant=True),
                ],
                characteristics=dm.VariableCharacteristics(unit="W", data_type="decimal", max_limit=22.5),
            ),
            dm.ReportedVariable(
                component="SecurityCtrlr",
                variable="BasicAuthPassword",
                attributes=[dm.ReportedAttribute(type="Actual", mutability="WriteOnly")],
            ),
        ],
    )
    actual = ("CS-1", "EVSE", "", 1, 2, "Power", "L1", "Actual")
    max_set = ("CS-1", "EVSE", "", 1, 2, "Power", "L1", "MaxSet")
    password = ("CS-1", "SecurityCtrlr", "", -1, -1, "BasicAuthPassword", "", "Actual")
    characteristics = ("W", "decimal", None, 22.5, None, False, None)
    assert device.writes([found], None) == [
        Write(ATTRIBUTE, (TS, "11", "ReadOnly", True, False, 42, NOW, *actual)),
        Write(ATTRIBUTE, (TS, "22", "ReadWrite", False, True, 42, NOW, *max_set)),
        Write(CHARACTERISTICS, (TS, *characteristics, *actual)),
        Write(CHARACTERISTICS, (TS, *characteristics, *max_set)),
        Write(ATTRIBUTE, (TS, None, "WriteOnly", False, False, 42, NOW, *password)),
        Write(PART, (TS, True, 2, GENERATED, NOW, "CS-1", 42, 3)),
    ]


def test_a_repeated_part_writes_the_same_rows() -> None:
    found = part_event(
        request_id=1,
        seq_no=0,
        variables=[dm.ReportedVariable(component="C", variable="V", attributes=[dm.ReportedAttribute(value="x")])],
    )
    assert device.writes([found], None) == device.writes([found], None)
    assert device.writes([found], None)[0] == Write(
        ATTRIBUTE, (TS, "x", "", False, False, 1, NOW, "CS-1", "C", "", -1, -1, "V", "", "Actual")
    )


def report_command(**overrides: Any) -> Any:
    values: dict[str, Any] = {
        "command": "get-base-report",
        "params": {"report_base": "full_inventory", "request_id": 42},
        "ocpp_version": OcppVersion.V201,
        "calls": (OcppCall("GetBaseReport", {"requestId": 42, "reportBase": "FullInventory"}),),
    }
    return a_command(**{**values, **overrides})


def test_a_report_command_records_its_request_and_outcome() -> None:
    sent = report_command().sending(SENT, OcppVersion.V201, report_command().calls)
    params_json = json.dumps(sent.params)
    requested = Write(REPORT_COMMAND, (micros(SENT), sent.command_id, "get-base-report", params_json, SENT, "CS-1", 42))
    assert inventory.from_command_event(event(sent, CommandState.SENT)) == [requested]
    accepted = sent.answered(DONE, ([3, "m", {"status": "Accepted"}],), {"status": "accepted"}, None)
    assert device.writes([event(accepted, CommandState.ANSWERED)], None) == [
        requested,
        Write(REPORT_OUTCOME, (micros(DONE), "accepted", "", "CS-1", 42)),
    ]
    refused = sent.answered(DONE, (), None, CallError("NotImplemented", "no reports"))
    assert device.writes([event(refused, CommandState.ANSWERED)], None)[1] == Write(
        REPORT_OUTCOME, (micros(DONE), "call_error", "NotImplemented: no reports", "CS-1", 42)
    )
    timed_out = sent.failed(DONE, "timeout: no answer")
    assert device.writes([event(timed_out, CommandState.FAILED)], None)[1] == Write(
        REPORT_OUTCOME, (micros(DONE), "", "timeout: no answer", "CS-1", 42)
    )


def test_a_queued_report_command_is_not_requested_yet_and_one_without_request_id_writes_nothing() -> None:
    assert device.writes([event(report_command(), CommandState.QUEUED)], None) == []
    no_id = report_command(params={"report_base": "full_inventory"})
    sent = no_id.sending(SENT, OcppVersion.V201, no_id.calls)
    assert device.writes([event(sent, CommandState.SENT)], None) == []


def answered(version: OcppVersion, command: str, calls: list[OcppCall], payloads: list[dict[str, Any]]) -> Any:
    record = a_command(command=command, params={}, ocpp_version=version, calls=tuple(calls))
    sent = record.sending(SENT, version, tuple(calls))
    frames = tuple([3, f"m-{i}", payload] for i, payload in enumerate(payloads))
    return event(sent.answered(DONE, frames, {"anything": True}, None), CommandState.ANSWERED)


T = micros(DONE)


def test_2x_get_variables_results_are_recorded_per_attribute() -> None:
    found = answered(
        OcppVersion.V201,
        "get-configuration",
        [OcppCall("GetVariables", {"getVariableData": []})],
        [
            {
                "getVariableResult": [
                    {
                        "attributeStatus": "Accepted",
                        "attributeValue": "300",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    },
                    {
                        "attributeStatus": "UnknownVariable",
                        "attributeType": "Target",
                        "component": {"name": "EVSE", "evse": {"id": 2}},
                        "variable": {"name": "Nope", "instance": "x"},
                    },
                ]
            }
        ],
    )
    heartbeat = ("CS-1", "OCPPCommCtrlr", "", -1, -1, "HeartbeatInterval", "", "Actual")
    assert device.writes([found], None) == [
        Write(READ, (T, "Accepted", DONE, *heartbeat)),
        Write(VALUE, (T, "300", *heartbeat)),
        Write(READ, (T, "UnknownVariable", DONE, "CS-1", "EVSE", "", 2, -1, "Nope", "x", "Target")),
    ]


def test_2x_set_variables_results_record_the_value_asked_and_its_status() -> None:
    sent = {
        "setVariableData": [
            {"attributeValue": "60", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"attributeValue": "5", "component": {"name": "TxCtrlr"}, "variable": {"name": "EVConnectionTimeOut"}},
            {"attributeValue": "x", "component": {"name": "AuthCtrlr"}, "variable": {"name": "Enabled"}},
        ]
    }
    results = {
        "setVariableResult": [
            {"attributeStatus": "Rejected", "component": {"name": "AuthCtrlr"}, "variable": {"name": "Enabled"}},
            {
                "attributeStatus": "Accepted",
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
            },
            {
                "attributeStatus": "RebootRequired",
                "component": {"name": "TxCtrlr"},
                "variable": {"name": "EVConnectionTimeOut"},
            },
        ]
    }
    found = answered(OcppVersion.V21, "set-configuration", [OcppCall("SetVariables", sent)], [results])
    auth = ("CS-1", "AuthCtrlr", "", -1, -1, "Enabled", "", "Actual")
    heartbeat = ("CS-1", "OCPPCommCtrlr", "", -1, -1, "HeartbeatInterval", "", "Actual")
    timeout = ("CS-1", "TxCtrlr", "", -1, -1, "EVConnectionTimeOut", "", "Actual")
    assert device.writes([found], None) == [
        Write(SET, (T, "x", "Rejected", DONE, "cmd-1", *auth)),
        Write(SET, (T, "60", "Accepted", DONE, "cmd-1", *heartbeat)),
        Write(VALUE, (T, "60", *heartbeat)),
        Write(SET, (T, "5", "RebootRequired", DONE, "cmd-1", *timeout)),
    ]


def test_1_6_get_configuration_fills_the_same_model_under_ocpp16() -> None:
    found = answered(
        OcppVersion.V16,
        "get-configuration",
        [OcppCall("GetConfiguration", {})],
        [
            {
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                    {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
                ],
                "unknownKey": ["Nope"],
            }
        ],
    )
    heartbeat = ("CS-1", "OCPP16", "", -1, -1, "HeartbeatInterval", "", "Actual")
    connectors = ("CS-1", "OCPP16", "", -1, -1, "NumberOfConnectors", "", "Actual")
    assert device.writes([found], None) == [
        Write(READ, (T, "Accepted", DONE, *heartbeat)),
        Write(VALUE, (T, "300", *heartbeat)),
        Write(MUTABILITY, (T, "ReadWrite", *heartbeat)),
        Write(READ, (T, "Accepted", DONE, *connectors)),
        Write(VALUE, (T, "2", *connectors)),
        Write(MUTABILITY, (T, "ReadOnly", *connectors)),
        Write(READ, (T, "UnknownVariable", DONE, "CS-1", "OCPP16", "", -1, -1, "Nope", "", "Actual")),
    ]


def test_1_6_change_configuration_per_key() -> None:
    calls = [
        OcppCall("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}),
        OcppCall("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "10"}),
    ]
    found = answered(OcppVersion.V16, "set-configuration", calls, [{"status": "Accepted"}, {"status": "NotSupported"}])
    heartbeat = ("CS-1", "OCPP16", "", -1, -1, "HeartbeatInterval", "", "Actual")
    sample = ("CS-1", "OCPP16", "", -1, -1, "MeterValueSampleInterval", "", "Actual")
    assert device.writes([found], None) == [
        Write(SET, (T, "60", "Accepted", DONE, "cmd-1", *heartbeat)),
        Write(VALUE, (T, "60", *heartbeat)),
        Write(SET, (T, "10", "NotSupported", DONE, "cmd-1", *sample)),
    ]


def test_other_commands_and_secrets_write_nothing() -> None:
    password = answered(
        OcppVersion.V201,
        "set-password",
        [OcppCall("SetVariables", {"setVariableData": [{"attributeValue": "<redacted>"}]})],
        [{"setVariableResult": []}],
    )
    reset = answered(OcppVersion.V16, "reset", [OcppCall("Reset", {"type": "Hard"})], [{"status": "Accepted"}])
    assert device.writes([password, reset], None) == []


def test_the_inventory_tables_are_the_device_projection_s() -> None:
    assert set(inventory.TABLES) <= set(device.PROJECTION.tables)
