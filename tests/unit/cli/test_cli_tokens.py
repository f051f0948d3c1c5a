"""`csms tokens add|list|show|block|delete` against a fake client: exact output and exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from csms.authorization.v1 import authorization_pb2 as pb
from csms_cli.client import RpcFailed, ServiceUnreachable
from csms_cli.main import run
from kit.fakes.cli_client import FakeClient


def ts(text: str) -> Timestamp:
    stamp = Timestamp()
    stamp.FromJsonString(text)
    return stamp


def test_add_sends_every_field(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "tokens",
        "add",
        "04A2B3C4",
        "--type",
        "ISO14443",
        "--expires",
        "2027-01-01T01:00:00+01:00",
        "--group",
        "FLEET-1",
        "--station",
        "CS-1",
        "CS-2",
        "--station",
        "CS-3",
        "--status",
        "Blocked",
        "--local-list",
    ]
    assert run(argv, client) == 0
    assert capsys.readouterr() == ("added 04A2B3C4\n", "")
    expires = Timestamp()
    expires.FromDatetime(datetime(2027, 1, 1, tzinfo=UTC))
    assert client.calls == [
        (
            "upsert_id_token",
            pb.UpsertIdTokenRequest(
                id_token="04A2B3C4",
                type=pb.ID_TOKEN_TYPE_ISO14443,
                status=pb.ID_TOKEN_STATUS_BLOCKED,
                expires_at=expires,
                group_id_token="FLEET-1",
                station_ids=["CS-1", "CS-2", "CS-3"],
                local_list=True,
            ),
        )
    ]
    assert client.closed


def test_add_with_defaults_updates(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.created = False
    assert run(["tokens", "add", "K-1", "--type", "KeyCode"], client) == 0
    assert capsys.readouterr() == ("updated K-1\n", "")
    assert client.calls == [
        (
            "upsert_id_token",
            pb.UpsertIdTokenRequest(id_token="K-1", type=pb.ID_TOKEN_TYPE_KEY_CODE, status=pb.ID_TOKEN_STATUS_ACCEPTED),
        )
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "the following arguments are required: --type"),
        (["--type", "VIN"], "argument --type: invalid choice: 'VIN'"),
        (["--type", "Local", "--expires", "2027-01-01T00:00:00"], "needs a time zone (e.g. Z or +01:00)"),
        (["--type", "Local", "--expires", "next year"], "not an ISO 8601 date and time: 'next year'"),
    ],
)
def test_add_usage_errors_exit_4(
    client: FakeClient, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(["tokens", "add", "T-1", *extra], client) == 4
    assert message in capsys.readouterr().err
    assert client.calls == []


def test_add_refused_by_the_service_exits_4(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    message = "id_token must be printable ASCII without spaces"
    client.errors["upsert_id_token"] = RpcFailed("authorization", grpc.StatusCode.INVALID_ARGUMENT, message)
    assert run(["tokens", "add", "ä", "--type", "Local"], client) == 4
    assert capsys.readouterr() == ("", f"error: {message}\n")


TOKENS = [
    pb.IdTokenRecord(
        id_token="b-key",
        type=pb.ID_TOKEN_TYPE_KEY_CODE,
        status=pb.ID_TOKEN_STATUS_BLOCKED,
        created_at=ts("2026-01-01T00:00:00Z"),
        updated_at=ts("2026-01-02T00:00:00Z"),
    ),
    pb.IdTokenRecord(
        id_token="A-CARD",
        type=pb.ID_TOKEN_TYPE_ISO14443,
        status=pb.ID_TOKEN_STATUS_ACCEPTED,
        expires_at=ts("2027-01-01T00:00:00Z"),
        group_id_token="FLEET-1",
        station_ids=["CS-1", "CS-2"],
        local_list=True,
        created_at=ts("2026-01-01T00:00:00Z"),
        updated_at=ts("2026-01-01T00:00:00Z"),
    ),
]


def test_list_prints_a_table_sorted_by_token(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "list"], client) == 0
    assert capsys.readouterr() == (
        "TOKEN   TYPE      STATUS    EXPIRES               GROUP    STATIONS   LOCAL LIST\n"
        "A-CARD  ISO14443  Accepted  2027-01-01T00:00:00Z  FLEET-1  CS-1,CS-2  yes\n"
        "b-key   KeyCode   Blocked   -                     -        all        no\n",
        "",
    )


def test_list_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "list", "--json"], client) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == [
        {
            "id_token": "A-CARD",
            "type": "ISO14443",
            "status": "Accepted",
            "expires_at": "2027-01-01T00:00:00Z",
            "group_id_token": "FLEET-1",
            "station_ids": ["CS-1", "CS-2"],
            "local_list": True,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        },
        {
            "id_token": "b-key",
            "type": "KeyCode",
            "status": "Blocked",
            "expires_at": None,
            "group_id_token": None,
            "station_ids": [],
            "local_list": False,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-02T00:00:00Z",
        },
    ]


def test_list_of_nothing_prints_the_header(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["tokens", "list"], client) == 0
    assert capsys.readouterr() == ("TOKEN  TYPE  STATUS  EXPIRES  GROUP  STATIONS  LOCAL LIST\n", "")


def test_list_without_the_service_exits_5(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.errors["list_id_tokens"] = ServiceUnreachable("authorization", "authz.test:50052", "refused")
    assert run(["tokens", "list"], client) == 5
    assert capsys.readouterr() == ("", "error: cannot reach the authorization service at authz.test:50052 (refused)\n")


def test_block(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["tokens", "block", "A-CARD"], client) == 0
    assert capsys.readouterr() == ("blocked A-CARD\n", "")
    assert client.calls == [("block_id_token", "A-CARD")]


def test_block_of_an_unknown_token_exits_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.errors["block_id_token"] = RpcFailed("authorization", grpc.StatusCode.NOT_FOUND, "no id token NOPE")
    assert run(["tokens", "block", "NOPE"], client) == 1
    assert capsys.readouterr() == ("", "error: id token NOPE not found\n")


def test_show_prints_every_field(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "show", "a-card"], client) == 0
    assert capsys.readouterr() == (
        "token:      A-CARD\n"
        "type:       ISO14443\n"
        "status:     Accepted\n"
        "expires:    2027-01-01T00:00:00Z\n"
        "group:      FLEET-1\n"
        "stations:   CS-1,CS-2\n"
        "local list: yes\n"
        "created:    2026-01-01T00:00:00Z\n"
        "updated:    2026-01-01T00:00:00Z\n",
        "",
    )
    assert client.calls == [("get_id_token", "a-card")]
    assert client.closed


def test_show_of_a_token_without_options(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "show", "b-key"], client) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[2:7] == [
        "status:     Blocked",
        "expires:    -",
        "group:      -",
        "stations:   all",
        "local list: no",
    ]


def test_show_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "show", "b-key", "--json"], client) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == {
        "id_token": "b-key",
        "type": "KeyCode",
        "status": "Blocked",
        "expires_at": None,
        "group_id_token": None,
        "station_ids": [],
        "local_list": False,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-02T00:00:00Z",
    }


def test_show_of_an_unknown_token_exits_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["tokens", "show", "NOPE", "--json"], client) == 1
    assert capsys.readouterr() == ("", "error: id token NOPE not found\n")


def test_show_of_an_invalid_token_exits_4(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    message = "id_token must be printable ASCII without spaces"
    client.errors["get_id_token"] = RpcFailed("authorization", grpc.StatusCode.INVALID_ARGUMENT, message)
    assert run(["tokens", "show", "ä"], client) == 4
    assert capsys.readouterr() == ("", f"error: {message}\n")


def test_show_without_the_service_exits_5(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.errors["get_id_token"] = ServiceUnreachable("authorization", "authz.test:50052", "refused")
    assert run(["tokens", "show", "A-CARD"], client) == 5
    assert capsys.readouterr() == ("", "error: cannot reach the authorization service at authz.test:50052 (refused)\n")


def test_delete(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "delete", "A-CARD"], client) == 0
    assert capsys.readouterr() == ("deleted A-CARD\n", "")
    assert client.calls == [("delete_id_token", "A-CARD")]
    assert [t.id_token for t in client.tokens] == ["b-key"]
    assert client.closed


def test_delete_of_an_unknown_token_exits_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.tokens = TOKENS
    assert run(["tokens", "delete", "NOPE"], client) == 1
    assert capsys.readouterr() == ("", "error: id token NOPE not found\n")
    assert len(client.tokens) == 2


def test_delete_refused_by_the_service_exits_4(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    message = "id_token must be 1..255 characters, got 256"
    client.errors["delete_id_token"] = RpcFailed("authorization", grpc.StatusCode.INVALID_ARGUMENT, message)
    assert run(["tokens", "delete", "X" * 256], client) == 4
    assert capsys.readouterr() == ("", f"error: {message}\n")


def test_show_and_delete_need_a_token(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["tokens", "show"], client) == 4
    assert run(["tokens", "delete"], client) == 4
    assert "the following arguments are required: TOKEN" in capsys.readouterr().err
    assert client.calls == []
