"""`csms command set-display-message | get-display-messages | clear-display-message` (the params sent),
`csms display-messages` and `csms data-transfers` (tables and JSON) against a fake client."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.cli_client import FakeClient

T0 = datetime(2026, 12, 6, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("argv", "params"),
    [
        (["set-display-message", "CP-1", "7", "Hallo"], {"id": 7, "priority": "normal_cycle", "content": "Hallo"}),
        (
            [
                "set-display-message",
                "CP-1",
                "7",
                "Hallo",
                "--priority",
                "always_front",
                "--format",
                "html",
                "--language",
                "de",
                "--state",
                "idle",
                "--start-at",
                "2026-12-06T10:00:00Z",
                "--end-at",
                "2026-12-07T10:00:00Z",
                "--transaction-id",
                "tx-1",
                "--display",
                "Display",
                "--display-evse",
                "1",
                "--display-connector",
                "2",
            ],
            {
                "id": 7,
                "priority": "always_front",
                "content": "Hallo",
                "format": "html",
                "language": "de",
                "state": "idle",
                "start_at": "2026-12-06T10:00:00Z",
                "end_at": "2026-12-07T10:00:00Z",
                "transaction_id": "tx-1",
                "display": {"name": "Display", "evse_id": 1, "connector_id": 2},
            },
        ),
        (["get-display-messages", "CP-1"], {}),
        (
            ["get-display-messages", "CP-1", "--id", "1", "--id", "2", "--state", "charging"],
            {"ids": [1, 2], "state": "charging"},
        ),
        (["clear-display-message", "CP-1", "4"], {"id": 4}),
    ],
)
def test_the_params_each_command_sends(client: FakeClient, argv: list[str], params: dict[str, object]) -> None:
    client.command = pb.Command(command_id="c-1", state=pb.COMMAND_STATE_ANSWERED, result_json='{"status": "accepted"}')
    assert run(["command", *argv], client) == 0
    ((name, request),) = client.calls[:1]
    assert name == "send_command" and isinstance(request, pb.SendCommandRequest)
    assert (request.station_id, request.command, json.loads(request.params_json)) == ("CP-1", argv[0], params)


def test_display_options_need_a_display_name(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["command", "set-display-message", "CP-1", "1", "x", "--display-evse", "1"], client) == 4
    assert "need --display NAME" in capsys.readouterr().err
    assert client.calls == []


def test_display_messages_as_a_table_and_as_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.display_messages = [
        pb.DisplayMessage(id=1, priority="in_front", format="utf8", content="Hallo\nWelt", source="command c-1")
    ]
    assert run(["display-messages", "CP-1"], client) == 0
    table = capsys.readouterr().out
    assert "ID" in table and "Hallo\\nWelt" in table and "any" in table and "command c-1" in table
    assert run(["display-messages", "CP-1", "--json"], client) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"id": 1, "priority": "in_front", "format": "utf8", "content": "Hallo\nWelt", "source": "command c-1"}
    ]
    assert client.calls == [("list_display_messages", "CP-1"), ("list_display_messages", "CP-1")]


def test_data_transfers_newest_first_with_a_limit(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.data_transfers = [
        pb.DataTransfer(
            station_id="CP-1",
            transfer_id=f"m-{n}",
            direction="station_to_csms",
            vendor_id="org.csms.ocmf",
            message_id="SignedMeterValue",
            status="accepted",
            data_json='"OCMF|..."',
            recorded_at=timestamp(T0),
        )
        for n in range(3)
    ]
    assert run(["data-transfers", "CP-1", "--limit", "2"], client) == 0
    out, err = capsys.readouterr()
    assert out.count("org.csms.ocmf") == 2 and "in" in out and "accepted" in out
    assert "more than 2" in err
    assert run(["data-transfers", "CP-1", "--json"], client) == 0
    assert [t["transfer_id"] for t in json.loads(capsys.readouterr().out)] == ["m-0", "m-1", "m-2"]
    assert run(["data-transfers", "CP-1", "--limit", "0"], client) == 4
