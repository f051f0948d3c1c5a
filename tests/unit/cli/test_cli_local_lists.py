"""`csms local-list push|version` against a fake client: exact output and exit codes."""

from __future__ import annotations

import json

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_cli.client import RpcFailed
from csms_cli.main import run
from kit.fakes.cli_client import FakeClient

RESULTS = [
    pb.LocalListPushResult(
        station_id="CS-1", outcome=pb.PUSH_OUTCOME_ACCEPTED, detail="full", version_number=7, entries=12
    ),
    pb.LocalListPushResult(
        station_id="CS-22",
        outcome=pb.PUSH_OUTCOME_VERSION_MISMATCH,
        detail="differential since 3",
        version_number=7,
        entries=2,
    ),
    pb.LocalListPushResult(station_id="CS-3", outcome=pb.PUSH_OUTCOME_OFFLINE, detail="not connected"),
    pb.LocalListPushResult(station_id="CS-4", outcome=pb.PUSH_OUTCOME_TIMEOUT, detail="no answer in time"),
]


def test_push_to_a_group_prints_each_station_and_exits_1_unless_all_accepted(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.push_results = RESULTS
    assert run(["local-list", "push", "--group", "site-a", "--differential", "--timeout", "5"], client) == 1
    assert capsys.readouterr() == (
        "STATION  RESULT           VERSION  ENTRIES  DETAIL\n"
        "CS-1     Accepted         7        12       full\n"
        "CS-22    VersionMismatch  7        2        differential since 3\n"
        "CS-3     offline          -        -        not connected\n"
        "CS-4     timeout          -        -        no answer in time\n",
        "",
    )
    assert client.calls == [
        ("push_local_list", pb.PushLocalListRequest(station_group="site-a", differential=True), 5.0)
    ]


def test_push_to_a_station_accepted_exits_0_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.push_results = RESULTS[:1]
    assert run(["local-list", "push", "--station", "CS-1", "--json"], client) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == [
        {"station_id": "CS-1", "result": "Accepted", "version": 7, "entries": 12, "detail": "full"}
    ]
    assert client.calls == [("push_local_list", pb.PushLocalListRequest(station_id="CS-1"), 30.0)]


@pytest.mark.parametrize(
    "argv",
    [
        ["local-list", "push"],
        ["local-list", "push", "--station", "CS-1", "--group", "site-a"],
    ],
)
def test_push_needs_exactly_one_target(client: FakeClient, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert run(argv, client) == 4
    assert "--station" in capsys.readouterr().err
    assert client.calls == []


def test_push_to_an_unknown_group_exits_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.errors["push_local_list"] = RpcFailed("authorization", grpc.StatusCode.NOT_FOUND, "no station in group x")
    assert run(["local-list", "push", "--group", "x"], client) == 1
    assert capsys.readouterr() == ("", "error: no station in group x\n")


def test_version_asks_the_station_and_shows_the_current_list(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.station_list_version = 5
    client.list_status = pb.GetLocalListStatusResponse(list_version=7)
    assert run(["local-list", "version", "CS-1", "--timeout", "3"], client) == 0
    assert capsys.readouterr() == ("CS-1 holds local list version 5 (current list: version 7)\n", "")
    assert client.calls == [("refresh_local_list_version", "CS-1", 3.0), ("local_list_status", "CS-1")]


@pytest.mark.parametrize(
    ("code", "exit_code", "message"),
    [
        (grpc.StatusCode.FAILED_PRECONDITION, 3, "station CS-1 is offline"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 2, "no answer in time"),
        (grpc.StatusCode.ABORTED, 1, "the station answered CALLERROR NotSupported"),
    ],
)
def test_version_failures(
    client: FakeClient, capsys: pytest.CaptureFixture[str], code: grpc.StatusCode, exit_code: int, message: str
) -> None:
    client.errors["refresh_local_list_version"] = RpcFailed("authorization", code, message)
    assert run(["local-list", "version", "CS-1"], client) == exit_code
    assert capsys.readouterr() == ("", f"error: {message}\n")
