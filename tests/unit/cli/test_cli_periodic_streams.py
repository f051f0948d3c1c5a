"""`csms periodic-streams list|data` against the fake client: tables, JSON, the request's times and limit, and
bad arguments refused with exit code INVALID."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms_cli import exit_codes
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.cli_client import FakeClient

AT = datetime(2026, 11, 21, 10, tzinfo=UTC)


def cli(client: FakeClient, *argv: str) -> int:
    factory: Any = client
    return run(list(argv), client_factory=factory)


def test_list_as_a_table(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.periodic_streams = [
        dm.PeriodicStream(
            station_id="CS-1",
            stream_id=7,
            variable_monitoring_id=12,
            interval_s=60,
            values=10,
            state="open",
            opened_at=timestamp(AT),
        ),
        dm.PeriodicStream(station_id="CS-1", stream_id=8, state="unknown", last_data_at=timestamp(AT)),
    ]
    assert cli(client, "periodic-streams", "list", "CS-1") == exit_codes.OK
    assert capsys.readouterr().out.splitlines() == [
        "STREAM  STATE    MONITOR  INTERVAL  VALUES  OPENED                CLOSED  LAST DATA",
        "7       open     12       60 s      10      2026-11-21T10:00:00Z  -       -",
        "8       unknown  -        -         -       -                     -       2026-11-21T10:00:00Z",
    ]
    assert client.calls == [("list_periodic_streams", "CS-1")]


def test_data_as_json_with_its_time_range(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.stream_values = [dm.PeriodicStreamValue(sampled_at=timestamp(AT), value="230.1")]
    argv = ["periodic-streams", "data", "CS-1", "7", "--since", "2026-11-21T09:00:00Z", "--limit", "5", "--json"]
    assert cli(client, *argv) == exit_codes.OK
    assert json.loads(capsys.readouterr().out) == [{"sampled_at": "2026-11-21T10:00:00Z", "value": "230.1"}]
    request = dm.GetPeriodicStreamDataRequest(station_id="CS-1", stream_id=7, limit=5)
    request.since.FromDatetime(datetime(2026, 11, 21, 9, tzinfo=UTC))
    assert client.calls == [("get_periodic_stream_data", request)]


def test_a_full_page_says_there_may_be_more(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.stream_values = [dm.PeriodicStreamValue(sampled_at=timestamp(AT), value="1")]
    assert cli(client, "periodic-streams", "data", "CS-1", "7", "--limit", "1") == exit_codes.OK
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["SAMPLED               VALUE", "2026-11-21T10:00:00Z  1"]
    assert "pass --since after the last one" in captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["--limit", "0"],
        ["--limit", "10001"],
        ["--since", "yesterday"],
        ["--since", "2026-11-21T09:00:00"],
    ],
)
def test_bad_arguments_are_refused(client: FakeClient, argv: list[str]) -> None:
    assert cli(client, "periodic-streams", "data", "CS-1", "7", *argv) == exit_codes.INVALID
    assert client.calls == []
