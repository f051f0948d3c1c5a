"""`csms command` against a fake client: the request each command sends, the output and exit code of each
outcome, and `show` / `list`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms.edge.v1.edge_pb2 import CallError
from csms_cli.client import RpcFailed
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.cli_client import FakeClient

T0 = datetime(2026, 11, 21, 12, tzinfo=UTC)
ANSWERED = pb.Command(
    command_id="c-1",
    station_id="CP-1",
    command="reset",
    params_json='{"type": "hard"}',
    state=pb.COMMAND_STATE_ANSWERED,
    request_json='[{"action": "Reset", "payload": {"type": "Hard"}}]',
    response_json='[[3, "m-1", {"status": "Accepted"}]]',
    result_json='{"status": "accepted"}',
    timeout_ms=30000,
    created_at=timestamp(T0),
)


def sent(client: FakeClient) -> tuple[pb.SendCommandRequest, dict[str, object]]:
    ((name, request),) = client.calls[:1]
    assert name == "send_command"
    assert isinstance(request, pb.SendCommandRequest)
    return request, json.loads(request.params_json)


@pytest.mark.parametrize(
    ("argv", "command", "params"),
    [
        (["reset", "CP-1", "--type", "hard"], "reset", {"type": "hard"}),
        (["reset", "CP-1", "--type", "on_idle", "--evse", "2"], "reset", {"type": "on_idle", "evse_id": 2}),
        (
            ["change-availability", "CP-1", "--inoperative", "--evse", "1"],
            "change-availability",
            {"operational": False, "evse_id": 1},
        ),
        (["change-availability", "CP-1", "--operative"], "change-availability", {"operational": True}),
        (
            ["unlock-connector", "CP-1", "--evse", "2"],
            "unlock-connector",
            {"evse_id": 2, "connector_id": 1},
        ),
        (
            ["reserve-now", "CP-1", "--id", "7", "--token", "TAG-1", "--expires-at", "2026-12-06T16:00:00Z"],
            "reserve-now",
            {"reservation_id": 7, "id_token": "TAG-1", "expires_at": "2026-12-06T16:00:00Z"},
        ),
        (
            [
                "reserve-now",
                "CP-1",
                "--id",
                "7",
                "--token",
                "TAG-1",
                "--expires-at",
                "2026-12-06T16:00:00Z",
                "--evse",
                "2",
                "--token-type",
                "ISO14443",
                "--group",
                "FLEET",
            ],
            "reserve-now",
            {
                "reservation_id": 7,
                "id_token": "TAG-1",
                "expires_at": "2026-12-06T16:00:00Z",
                "evse_id": 2,
                "token_type": "ISO14443",
                "group_id_token": "FLEET",
            },
        ),
        (["cancel-reservation", "CP-1", "--id", "7"], "cancel-reservation", {"reservation_id": 7}),
        (
            ["trigger-message", "CP-1", "status_notification", "--evse", "1", "--connector", "2"],
            "trigger-message",
            {"message": "status_notification", "evse_id": 1, "connector_id": 2},
        ),
        (["clear-cache", "CP-1"], "clear-cache", {}),
        (["get-base-report", "CP-1", "full_inventory"], "get-base-report", {"report_base": "full_inventory"}),
        (["get-report", "CP-1"], "get-report", {}),
        (
            [
                "get-report",
                "CP-1",
                "--criterion",
                "problem",
                "--variable",
                "EVSE",
                "--variable",
                "TxCtrlr.EVConnectionTimeOut",
            ],
            "get-report",
            {
                "component_criteria": ["problem"],
                "component_variables": [
                    {"component": "EVSE"},
                    {"component": "TxCtrlr", "variable": "EVConnectionTimeOut"},
                ],
            },
        ),
        (["get-configuration", "CP-1"], "get-configuration", {}),
        (
            ["get-configuration", "CP-1", "HeartbeatInterval", "OCPPCommCtrlr.HeartbeatInterval"],
            "get-configuration",
            {"keys": ["HeartbeatInterval", "OCPPCommCtrlr.HeartbeatInterval"]},
        ),
        (
            ["set-configuration", "CP-1", "HeartbeatInterval=60", "Url=a=b"],
            "set-configuration",
            {"settings": [{"key": "HeartbeatInterval", "value": "60"}, {"key": "Url", "value": "a=b"}]},
        ),
        (
            ["data-transfer", "CP-1", "ACME", "--message-id", "m", "--data", '{"a": 1}'],
            "data-transfer",
            {"vendor_id": "ACME", "message_id": "m", "data": {"a": 1}},
        ),
        (["data-transfer", "CP-1", "ACME", "--data", "hello"], "data-transfer", {"vendor_id": "ACME", "data": "hello"}),
        (
            ["publish-firmware", "CP-1", "--location", "https://fw/x.bin", "--checksum", "0" * 32],
            "publish-firmware",
            {"location": "https://fw/x.bin", "checksum": "0" * 32},
        ),
        (["unpublish-firmware", "CP-1", "--checksum", "0" * 32], "unpublish-firmware", {"checksum": "0" * 32}),
        (
            ["raw", "CP-1", "GetLocalListVersion"],
            "raw",
            {"action": "GetLocalListVersion", "payload": {}},
        ),
        (
            ["raw", "CP-1", "Reset", '{"type": "Soft"}'],
            "raw",
            {"action": "Reset", "payload": {"type": "Soft"}},
        ),
    ],
)
def test_each_command_sends_its_neutral_params(
    client: FakeClient, capsys: pytest.CaptureFixture[str], argv: list[str], command: str, params: dict[str, object]
) -> None:
    client.command = ANSWERED
    assert run(["command", *argv], client) == 0
    request, sent_params = sent(client)
    assert (request.station_id, request.command, sent_params) == ("CP-1", command, params)
    assert (request.timeout_ms, request.wait, request.queue_if_offline, request.HasField("expires_at")) == (
        30000,
        True,
        False,
        False,
    )
    assert capsys.readouterr() == ('{\n  "status": "accepted"\n}\n', "")


def test_no_wait_and_queueing(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.command = pb.Command(command_id="c-2", state=pb.COMMAND_STATE_QUEUED)
    before = datetime.now(UTC)
    argv = [
        "command",
        "clear-cache",
        "CP-1",
        "--no-wait",
        "--queue-if-offline",
        "--expires-in",
        "600",
        "--timeout",
        "5",
    ]
    assert run(argv, client) == 0
    request, _ = sent(client)
    assert (request.wait, request.queue_if_offline, request.timeout_ms) == (False, True, 5000)
    expires = request.expires_at.ToDatetime(tzinfo=UTC)
    assert before + timedelta(seconds=600) <= expires <= datetime.now(UTC) + timedelta(seconds=600)
    assert capsys.readouterr() == ('{"command_id": "c-2", "state": "queued"}\n', "")


def test_queueing_expires_in_an_hour_unless_told(client: FakeClient) -> None:
    client.command = pb.Command(command_id="c-2", state=pb.COMMAND_STATE_QUEUED)
    assert run(["command", "clear-cache", "CP-1", "--queue-if-offline"], client) == 0
    request, _ = sent(client)
    left = request.expires_at.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=59) < left <= timedelta(hours=1)


@pytest.mark.parametrize(
    ("command", "exit_code", "stderr"),
    [
        (
            pb.Command(
                command_id="c-3",
                state=pb.COMMAND_STATE_ANSWERED,
                call_error=CallError(code="NotSupported", description="no"),
            ),
            1,
            "CALLERROR NotSupported: no\n",
        ),
        (
            pb.Command(command_id="c-3", state=pb.COMMAND_STATE_FAILED, failure="timeout: no answer in 30 s"),
            2,
            "failed: timeout: no answer in 30 s (command c-3)\n",
        ),
        (
            pb.Command(command_id="c-3", state=pb.COMMAND_STATE_FAILED, failure="offline: station disconnected"),
            3,
            "failed: offline: station disconnected (command c-3)\n",
        ),
        (
            pb.Command(command_id="c-3", state=pb.COMMAND_STATE_FAILED, failure="outcome unknown: stopped"),
            1,
            "failed: outcome unknown: stopped (command c-3)\n",
        ),
        (
            pb.Command(command_id="c-3", state=pb.COMMAND_STATE_EXPIRED, expires_at=timestamp(T0)),
            1,
            "expired: not sent by 2026-11-21T12:00:00Z (command c-3)\n",
        ),
    ],
)
def test_outcomes_without_a_result(
    client: FakeClient, capsys: pytest.CaptureFixture[str], command: pb.Command, exit_code: int, stderr: str
) -> None:
    client.command = command
    assert run(["command", "reset", "CP-1", "--type", "soft"], client) == exit_code
    assert capsys.readouterr() == ("", stderr)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["set-configuration", "CP-1", "HeartbeatInterval"], "'HeartbeatInterval' is not KEY=VALUE"),
        (["raw", "CP-1", "Reset", "{nope"], "the payload is not valid JSON"),
        (["clear-cache", "CP-1", "--expires-in", "60"], "--expires-in only applies with --queue-if-offline"),
        (["clear-cache", "CP-1", "--timeout", "0"], "--timeout and --expires-in must be positive"),
    ],
)
def test_bad_arguments_exit_4_without_a_call(
    client: FakeClient, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(["command", *argv], client) == 4
    assert message in capsys.readouterr().err
    assert client.calls == []


@pytest.mark.parametrize(
    ("code", "exit_code"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 4),
        (grpc.StatusCode.FAILED_PRECONDITION, 3),
        (grpc.StatusCode.NOT_FOUND, 1),
    ],
)
def test_refusals_of_the_service(
    client: FakeClient, capsys: pytest.CaptureFixture[str], code: grpc.StatusCode, exit_code: int
) -> None:
    client.errors["send_command"] = RpcFailed("device-model", code, "params.type: is required")
    assert run(["command", "reset", "CP-1", "--type", "soft"], client) == exit_code
    assert "params.type: is required" in capsys.readouterr().err


def test_the_whole_record_as_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.command = ANSWERED
    assert run(["command", "reset", "CP-1", "--type", "hard", "--json"], client) == 0
    assert json.loads(capsys.readouterr().out) == {
        "command_id": "c-1",
        "station_id": "CP-1",
        "command": "reset",
        "params": {"type": "hard"},
        "state": "answered",
        "ocpp_version": "",
        "request": [{"action": "Reset", "payload": {"type": "Hard"}}],
        "response": [[3, "m-1", {"status": "Accepted"}]],
        "result": {"status": "accepted"},
        "call_error": None,
        "failure": None,
        "timeout_ms": 30000,
        "created_at": "2026-11-21T12:00:00Z",
        "sent_at": None,
        "finished_at": None,
        "expires_at": None,
    }


def test_show_and_list(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    queued = pb.Command(
        command_id="c-2",
        station_id="CP-1",
        command="clear-cache",
        state=pb.COMMAND_STATE_QUEUED,
        created_at=timestamp(T0),
    )
    client.commands = [queued, ANSWERED]
    assert run(["command", "show", "c-1"], client) == 0
    shown = capsys.readouterr().out
    assert "state:        answered\n" in shown and 'result:       {"status": "accepted"}\n' in shown
    assert run(["command", "list", "CP-1"], client) == 0
    assert capsys.readouterr().out == (
        "id   command      state     created               outcome\n"
        "c-2  clear-cache  queued    2026-11-21T12:00:00Z\n"
        'c-1  reset        answered  2026-11-21T12:00:00Z  {"status": "accepted"}\n'
    )
    assert run(["command", "list", "CP-1", "--limit", "1", "--json"], client) == 0
    assert [c["command_id"] for c in json.loads(capsys.readouterr().out)] == ["c-2"]
    assert run(["command", "show", "c-9"], client) == 1
    assert capsys.readouterr().err == "error: command c-9 not found\n"
