"""`csms call` against a fake client: exact output and exit codes."""

from __future__ import annotations

import grpc
import pytest

from csms.device_model.v1.device_model_pb2 import SendCallResponse
from csms.edge.v1.edge_pb2 import CallError
from csms_cli.client import RpcFailed, ServiceUnreachable
from csms_cli.main import run
from kit.fakes.cli_client import FakeClient

RESET = ["call", "CP-1", "Reset", '{"type": "Immediate"}']


def test_a_callresult_is_printed_as_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.call_response = SendCallResponse(message_id="m-1", result_json='{"status":"Accepted"}')
    assert run(RESET, client) == 0
    assert capsys.readouterr() == ('{\n  "status": "Accepted"\n}\n', "")
    assert client.calls == [("send_call", "CP-1", "Reset", '{"type": "Immediate"}', 30.0)]
    assert client.closed


def test_the_timeout_is_passed_on(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.call_response = SendCallResponse(result_json="{}")
    assert run([*RESET, "--timeout", "2.5"], client) == 0
    assert capsys.readouterr() == ("{}\n", "")
    assert client.calls == [("send_call", "CP-1", "Reset", '{"type": "Immediate"}', 2.5)]


def test_a_callerror_goes_to_stderr_with_exit_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.call_response = SendCallResponse(
        error=CallError(code="NotSupported", description="Reset is not supported", details_json='{"reason":"x"}')
    )
    assert run(RESET, client) == 1
    assert capsys.readouterr() == ("", 'CALLERROR NotSupported: Reset is not supported\ndetails: {"reason":"x"}\n')


@pytest.mark.parametrize("details", ["", "{}"])
def test_empty_callerror_details_are_not_printed(
    client: FakeClient, capsys: pytest.CaptureFixture[str], details: str
) -> None:
    client.call_response = SendCallResponse(error=CallError(code="InternalError", description="", details_json=details))
    assert run(RESET, client) == 1
    assert capsys.readouterr() == ("", "CALLERROR InternalError: \n")


@pytest.mark.parametrize(
    ("code", "exit_code"),
    [
        (grpc.StatusCode.DEADLINE_EXCEEDED, 2),
        (grpc.StatusCode.FAILED_PRECONDITION, 3),
        (grpc.StatusCode.INVALID_ARGUMENT, 4),
    ],
)
def test_service_errors_print_the_server_message(
    client: FakeClient, capsys: pytest.CaptureFixture[str], code: grpc.StatusCode, exit_code: int
) -> None:
    client.errors["send_call"] = RpcFailed("device-model", code, "the server's words")
    assert run(RESET, client) == exit_code
    assert capsys.readouterr() == ("", "error: the server's words\n")


def test_an_unexpected_service_error_exits_1_with_its_code(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.errors["send_call"] = RpcFailed("device-model", grpc.StatusCode.INTERNAL, "boom")
    assert run(RESET, client) == 1
    assert capsys.readouterr() == ("", "error: device-model INTERNAL: boom\n")


def test_an_unreachable_service_exits_5(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.errors["send_call"] = ServiceUnreachable("device-model", "dm.test:50051", "connection refused")
    assert run(RESET, client) == 5
    assert capsys.readouterr() == (
        "",
        "error: cannot reach the device-model service at dm.test:50051 (connection refused)\n",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["call", "CP-1", "Reset", '{"type": '],
            "error: the payload is not valid JSON: Expecting value: line 1 column 10 (char 9)\n",
        ),
        (["call", "CP-1", "Reset", "[1]"], "error: the payload must be a JSON object, got list\n"),
        ([*RESET, "--timeout", "0"], "error: --timeout must be positive\n"),
    ],
)
def test_invalid_input_exits_4_before_any_call(
    client: FakeClient, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(argv, client) == 4
    assert capsys.readouterr() == ("", message)
    assert client.calls == []


def test_a_missing_argument_is_a_usage_error_with_exit_4(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["call", "CP-1", "Reset"], client) == 4
    assert capsys.readouterr().err.endswith("csms call: error: the following arguments are required: JSON-PAYLOAD\n")
    assert client.calls == []


def test_help_documents_the_exit_codes(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["call", "--help"], client) == 0
    out = capsys.readouterr().out
    for line in ["2  timeout", "3  the station is offline", "4  invalid input", "5  a service is unreachable"]:
        assert line in out
