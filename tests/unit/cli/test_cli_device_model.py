"""`csms device-model show|reports` against a fake client: the filters reach GetDeviceModel, output as a table or
JSON, the limit."""

from __future__ import annotations

import json

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms_cli import exit_codes
from csms_cli.main import run
from kit.fakes.cli_client import FakeClient

HEARTBEAT = dm.DeviceVariable(
    component="OCPPCommCtrlr",
    variable="HeartbeatInterval",
    attribute_type="Actual",
    value="60",
    mutability="ReadWrite",
    set_value="60",
    set_status="Accepted",
)
POWER = dm.DeviceVariable(
    component="EVSE", evse_id=1, connector_id=2, variable="Power", attribute_type="MaxSet", value="22000"
)


def test_show_passes_the_filters_and_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(variables=[HEARTBEAT, POWER])
    argv = ["device-model", "show", "CS-1", "--component", "EVSE", "--variable", "Power", "--evse", "1"]
    assert run([*argv, "--attribute", "MaxSet"], client) == exit_codes.OK
    request = dm.GetDeviceModelRequest(
        station_id="CS-1", component="EVSE", variable="Power", evse_id=1, attribute_type="MaxSet"
    )
    assert client.calls == [("get_device_model", request, 5000)]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["COMPONENT", "EVSE", "VARIABLE", "ATTRIBUTE", "VALUE", "MUTABILITY", "SET", "READ"]
    assert lines[1].split() == [
        "OCPPCommCtrlr",
        "-",
        "HeartbeatInterval",
        "Actual",
        "60",
        "ReadWrite",
        "Accepted",
        '"60"',
        "-",
    ]
    assert lines[2].split() == ["EVSE", "1/2", "Power", "MaxSet", "22000", "-", "-", "-"]


def test_show_as_json_and_over_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(variables=[HEARTBEAT, POWER])
    assert run(["device-model", "show", "CS-1", "--json", "--limit", "1"], client) == exit_codes.OK
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [
        {
            "component": "OCPPCommCtrlr",
            "variable": "HeartbeatInterval",
            "attribute_type": "Actual",
            "value": "60",
            "mutability": "ReadWrite",
            "set_value": "60",
            "set_status": "Accepted",
        }
    ]
    assert "more than 1 attributes" in captured.err


def test_reports(capsys: pytest.CaptureFixture[str]) -> None:
    report = dm.Report(
        request_id=42,
        state="receiving",
        command="get-base-report",
        answer_status="accepted",
        parts_received=2,
        last_seq_no=3,
        missing_seq_nos=[1, 2],
        variables_received=20,
    )
    client = FakeClient(reports=[report])
    assert run(["device-model", "reports", "CS-1"], client) == exit_codes.OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["42", "receiving", "get-base-report", "accepted", "2", "3", "1,2", "20", "-"]
    assert client.calls == [("list_reports", "CS-1")]
    assert run(["device-model", "reports", "CS-1", "--json"], client) == exit_codes.OK
    assert json.loads(capsys.readouterr().out)[0]["missing_seq_nos"] == [1, 2]
