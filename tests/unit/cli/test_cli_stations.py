"""`csms stations add|list|show|update|delete` against a fake client: exact output and exit codes."""

from __future__ import annotations

import io
import json
import os

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from csms.authorization.v1.authorization_pb2 import RegisteredStation, UpdateStationRequest
from csms.device_model.v1.device_model_pb2 import ConnectorStatus, Station
from csms.envelope.v1 import envelope_pb2
from csms_cli.client import Addresses, RpcFailed, ServiceUnreachable
from csms_cli.main import run
from kit.fakes.cli_client import FakeClient

PASSWORD = "0123456789abcdef"


@pytest.fixture(autouse=True)
def password_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--password-env` reads PASSWORD unless a test says otherwise."""
    monkeypatch.setenv("CSMS_STATION_PASSWORD", PASSWORD)


def ts(text: str) -> Timestamp:
    stamp = Timestamp()
    stamp.FromJsonString(text)
    return stamp


CONNECTED = Station(
    station_id="CP-1",
    vendor="ACME",
    model="Volt 22",
    serial_number="SN-7",
    firmware_version="1.4.2",
    ocpp_version=envelope_pb2.OCPP_VERSION_201,
    last_boot_at=ts("2025-03-01T11:00:00Z"),
    last_seen_at=ts("2025-03-01T12:00:05Z"),
    connected=True,
    edge_node_id="edge-1",
    connection_id="c-42",
    edge_address="10.0.0.7:7000",
    boot_reason="PowerUp",
    registration_status="Accepted",
    connectors=[
        ConnectorStatus(evse_id=1, connector_id=1, status="Available", updated_at=ts("2025-03-01T11:00:01Z")),
        ConnectorStatus(
            evse_id=1,
            connector_id=2,
            status="Faulted",
            error_code="HighTemperature",
            updated_at=ts("2025-03-01T11:30:00Z"),
        ),
    ],
)
SEEN_ONLY = Station(
    station_id="CP-3",
    vendor="Other",
    model="Old",
    ocpp_version=envelope_pb2.OCPP_VERSION_16,
    last_seen_at=ts("2025-02-28T09:15:00Z"),
    connected=False,
    edge_node_id="edge-2",
)
REGISTERED = [
    RegisteredStation(station_id="CP-2", security_profile=1, enabled=False),
    RegisteredStation(
        station_id="CP-1",
        security_profile=2,
        group="site-a",
        enabled=True,
        created_at=ts("2025-02-01T08:00:00Z"),
        updated_at=ts("2025-02-03T09:30:00Z"),
    ),
]


def test_add_registers_a_new_station(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "add", "CP-1", "--password-env"], client) == 0
    assert capsys.readouterr() == ("registered CP-1\n", "")
    assert client.calls == [("register_station", "CP-1", PASSWORD, 1, "")]
    assert client.addresses == Addresses(
        device_model="dm.test:50051", authorization="authz.test:50052", transactions="tx.test:50053"
    )
    assert client.closed


def test_add_reads_the_password_from_stdin(client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-password-from-stdin\nnext line\n"))
    assert run(["stations", "add", "CP-1", "--password-stdin"], client) == 0
    assert client.calls == [("register_station", "CP-1", "a-password-from-stdin", 1, "")]


def test_add_asks_for_the_password_without_echo(client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "a-password-typed-in"

    monkeypatch.setattr("getpass.getpass", getpass)
    assert run(["stations", "add", "CP-1", "--password-prompt"], client) == 0
    assert prompts == ["station password: "]
    assert client.calls == [("register_station", "CP-1", "a-password-typed-in", 1, "")]


def test_a_password_on_the_command_line_is_refused(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "add", "CP-1", "--password", PASSWORD], client) == 4
    assert "a password is not taken on the command line" in capsys.readouterr().err
    assert run(["stations", "update", "CP-1", "--password", PASSWORD], client) == 4
    assert client.calls == []


def test_password_env_unset_is_an_error(
    client: FakeClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSMS_STATION_PASSWORD")
    assert run(["stations", "add", "CP-1", "--password-env"], client) == 4
    assert capsys.readouterr().err == "error: --password-env: $CSMS_STATION_PASSWORD is not set\n"
    assert client.calls == []


def test_add_with_a_hex_authorization_key_sends_it_in_lowercase(
    client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "00FFA1B2C3D4E5F60718293A4B5C6D7E"
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    assert run(["stations", "add", "CP-1", "--password-hex", "--password-stdin"], client) == 0
    assert client.calls == [("register_station", "CP-1", key.lower(), 1, "")]


@pytest.mark.parametrize("key", ["00ff" * 7 + "0", "00" * 15, "00" * 21, "zz" * 16, "00 " * 16])
def test_add_refuses_a_malformed_hex_key(
    client: FakeClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("CSMS_STATION_PASSWORD", key)
    assert run(["stations", "add", "CP-1", "--password-hex", "--password-env"], client) == 4
    assert capsys.readouterr().err.startswith("error: --password-hex: ")
    assert client.calls == []


def test_password_hex_needs_a_password_source(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "update", "CP-1", "--password-hex"], client) == 4
    assert "--password-hex: give the key with" in capsys.readouterr().err
    assert client.calls == []


def test_add_at_security_profile_3_needs_no_password(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "add", "CP-1", "--security-profile", "3"], client) == 0
    assert client.calls == [("register_station", "CP-1", "", 3, "")]


@pytest.mark.parametrize("profile", ["1", "2"])
def test_add_below_security_profile_3_without_a_password_is_refused(
    client: FakeClient, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    assert run(["stations", "add", "CP-1", "--security-profile", profile], client) == 4
    assert capsys.readouterr() == (
        "",
        "error: give the password by --password-stdin, --password-env or --password-prompt (only a security "
        "profile 3 station may have none)\n",
    )
    assert client.calls == []


def test_show_names_a_rotation_and_an_upgrade_under_way(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = [
        RegisteredStation(
            station_id="CP-3",
            security_profile=1,
            enabled=True,
            pending_security_profile=2,
            password_rotation_pending=True,
        )
    ]
    assert run(["stations", "show", "CP-3"], client) == 0
    out = capsys.readouterr().out
    assert "profile upgrade:   pending to 2 (until it connects at it)\n" in out
    assert "password rotation: pending (until it connects with the new password)\n" in out
    assert run(["stations", "show", "CP-3", "--json"], client) == 0
    registration = json.loads(capsys.readouterr().out)["registration"]
    assert (registration["pending_security_profile"], registration["password_rotation_pending"]) == (2, True)


def test_password_sources_exclude_each_other(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "add", "CP-1", "--password-stdin", "--password-env"], client) == 4
    assert "not allowed with argument" in capsys.readouterr().err
    assert client.calls == []


def test_add_of_a_registered_station_changes_nothing_and_exits_1(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.created = False
    argv = [
        "--authorization",
        "10.1.1.1:5",
        "stations",
        "add",
        "CP-1",
        "--password-env",
        "--security-profile",
        "2",
    ]
    assert run(argv, client) == 1
    assert capsys.readouterr() == (
        "",
        "error: station CP-1 is registered already; nothing changed (change it with `csms stations update`)\n",
    )
    assert client.calls == [("register_station", "CP-1", PASSWORD, 2, "")]
    assert client.addresses == Addresses(
        device_model="dm.test:50051", authorization="10.1.1.1:5", transactions="tx.test:50053"
    )


def test_add_refused_by_the_service_exits_4_with_its_message(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "password must be 16..64 characters (OCPP BasicAuthPassword), got 5"
    client.errors["register_station"] = RpcFailed("authorization", grpc.StatusCode.INVALID_ARGUMENT, message)
    os.environ["CSMS_STATION_PASSWORD"] = "short"
    assert run(["stations", "add", "CP-1", "--password-env"], client) == 4
    assert capsys.readouterr() == ("", f"error: {message}\n")
    assert client.closed


def test_add_with_a_group(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "add", "CP-1", "--password-env", "--group", "site-a"], client) == 0
    assert capsys.readouterr() == ("registered CP-1\n", "")
    assert client.calls == [("register_station", "CP-1", PASSWORD, 1, "site-a")]


def test_add_with_an_unknown_security_profile_is_a_usage_error(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["stations", "add", "CP-1", "--password-env", "--security-profile", "4"], client) == 4
    assert "argument --security-profile: invalid choice: 4 (choose from 1, 2, 3)" in capsys.readouterr().err
    assert client.calls == []


def test_add_with_the_service_unreachable_exits_5_naming_the_address(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.errors["register_station"] = ServiceUnreachable("authorization", "authz.test:50052", "connection refused")
    assert run(["stations", "add", "CP-1", "--password-env"], client) == 5
    assert capsys.readouterr() == (
        "",
        "error: cannot reach the authorization service at authz.test:50052 (connection refused)\n",
    )


def test_list_joins_registrations_with_the_projection(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    client.stations = [SEEN_ONLY, CONNECTED]
    assert run(["stations", "list"], client) == 0
    assert capsys.readouterr() == (
        "STATION  PROFILE  GROUP   ENABLED  VENDOR  MODEL    OCPP   CONNECTED  NODE    LAST SEEN\n"
        "CP-1     2        site-a  yes      ACME    Volt 22  2.0.1  yes        edge-1  2025-03-01T12:00:05Z\n"
        "CP-2     1        -       no       -       -        -      no         -       -\n"
        "CP-3     -        -       -        Other   Old      1.6    no         -       2025-02-28T09:15:00Z\n",
        "",
    )


def test_list_json(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    client.stations = [SEEN_ONLY, CONNECTED]
    assert run(["stations", "list", "--json"], client) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == [
        {
            "station_id": "CP-1",
            "registered": True,
            "security_profile": 2,
            "group": "site-a",
            "enabled": True,
            "vendor": "ACME",
            "model": "Volt 22",
            "ocpp_version": "2.0.1",
            "connected": True,
            "edge_node_id": "edge-1",
            "last_seen_at": "2025-03-01T12:00:05Z",
        },
        {
            "station_id": "CP-2",
            "registered": True,
            "security_profile": 1,
            "group": None,
            "enabled": False,
            "vendor": None,
            "model": None,
            "ocpp_version": None,
            "connected": False,
            "edge_node_id": None,
            "last_seen_at": None,
        },
        {
            "station_id": "CP-3",
            "registered": False,
            "security_profile": None,
            "group": None,
            "enabled": None,
            "vendor": "Other",
            "model": "Old",
            "ocpp_version": "1.6",
            "connected": False,
            "edge_node_id": None,
            "last_seen_at": "2025-02-28T09:15:00Z",
        },
    ]


def test_list_without_the_device_model_service_shows_registrations_only(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.registered = REGISTERED
    client.errors["list_stations"] = ServiceUnreachable("device-model", "dm.test:50051", "connection refused")
    assert run(["stations", "list"], client) == 0
    assert capsys.readouterr() == (
        "STATION  PROFILE  GROUP   ENABLED  VENDOR  MODEL  OCPP  CONNECTED  NODE  LAST SEEN\n"
        "CP-1     2        site-a  yes      -       -      -     -          -     -\n"
        "CP-2     1        -       no       -       -      -     -          -     -\n",
        "warning: cannot reach the device-model service at dm.test:50051 (connection refused); "
        "showing registrations only\n",
    )


def test_list_of_nothing_prints_the_header(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "list"], client) == 0
    assert capsys.readouterr() == (
        "STATION  PROFILE  GROUP  ENABLED  VENDOR  MODEL  OCPP  CONNECTED  NODE  LAST SEEN\n",
        "",
    )


def test_list_without_the_authorization_service_exits_5(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.errors["list_registered_stations"] = ServiceUnreachable("authorization", "authz.test:50052", "refused")
    assert run(["stations", "list"], client) == 5
    assert capsys.readouterr() == ("", "error: cannot reach the authorization service at authz.test:50052 (refused)\n")


def test_show_json_has_every_field(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    client.stations = [CONNECTED]
    assert run(["stations", "show", "CP-1", "--json"], client) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == {
        "station_id": "CP-1",
        "vendor": "ACME",
        "model": "Volt 22",
        "serial_number": "SN-7",
        "firmware_version": "1.4.2",
        "ocpp_version": "OCPP_VERSION_201",
        "last_boot_at": "2025-03-01T11:00:00Z",
        "last_seen_at": "2025-03-01T12:00:05Z",
        "connected": True,
        "edge_node_id": "edge-1",
        "connection_id": "c-42",
        "edge_address": "10.0.0.7:7000",
        "boot_reason": "PowerUp",
        "registration_status": "Accepted",
        "connectors": [
            {
                "evse_id": 1,
                "connector_id": 1,
                "status": "Available",
                "error_code": "",
                "updated_at": "2025-03-01T11:00:01Z",
            },
            {
                "evse_id": 1,
                "connector_id": 2,
                "status": "Faulted",
                "error_code": "HighTemperature",
                "updated_at": "2025-03-01T11:30:00Z",
            },
        ],
        "registration": {
            "security_profile": 2,
            "group": "site-a",
            "enabled": True,
            "created_at": "2025-02-01T08:00:00Z",
            "updated_at": "2025-02-03T09:30:00Z",
            "pending_security_profile": None,
            "password_rotation_pending": False,
        },
    }
    assert client.calls == [("get_registered_station", "CP-1"), ("get_station", "CP-1")]


def test_show_json_of_a_disconnected_station_says_so(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.stations = [SEEN_ONLY]
    assert run(["stations", "show", "CP-3", "--json"], client) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["connected"], shown["connectors"], shown["connection_id"]) == (False, [], "")


def test_show_text(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    client.stations = [CONNECTED]
    assert run(["stations", "show", "CP-1"], client) == 0
    assert capsys.readouterr() == (
        "station:          CP-1\n"
        "registered:       2025-02-01T08:00:00Z\n"
        "updated:          2025-02-03T09:30:00Z\n"
        "enabled:          yes\n"
        "security profile: 2\n"
        "group:            site-a\n"
        "vendor:           ACME\n"
        "model:            Volt 22\n"
        "serial number:    SN-7\n"
        "firmware:         1.4.2\n"
        "OCPP:             2.0.1\n"
        "connected:        yes, node edge-1, connection c-42 (edge gRPC 10.0.0.7:7000)\n"
        "last boot:        2025-03-01T11:00:00Z (PowerUp)\n"
        "last seen:        2025-03-01T12:00:05Z\n"
        "connectors:\n"
        "  evse 1 connector 1: Available, since 2025-03-01T11:00:01Z\n"
        "  evse 1 connector 2: Faulted (HighTemperature), since 2025-03-01T11:30:00Z\n",
        "",
    )


def test_show_text_of_a_disconnected_station(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.stations = [Station(station_id="CP-4", vendor="ACME", connected=False)]
    assert run(["stations", "show", "CP-4"], client) == 0
    assert capsys.readouterr() == (
        "station:       CP-4\n"
        "registered:    no\n"
        "vendor:        ACME\n"
        "model:         -\n"
        "serial number: -\n"
        "firmware:      -\n"
        "OCPP:          -\n"
        "connected:     no\n"
        "last boot:     -\n"
        "last seen:     -\n"
        "connectors:    none\n",
        "",
    )


def test_show_of_an_unknown_station_exits_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "show", "CP-9", "--json"], client) == 1
    assert capsys.readouterr() == ("", "error: station CP-9 not found\n")


def test_show_with_another_service_error_exits_1_with_the_code(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.registered = REGISTERED
    client.errors["get_station"] = RpcFailed("device-model", grpc.StatusCode.INTERNAL, "boom")
    assert run(["stations", "show", "CP-1"], client) == 1
    assert capsys.readouterr() == ("", "error: device-model INTERNAL: boom\n")


def test_show_of_a_station_registered_but_never_seen(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    assert run(["stations", "show", "CP-2"], client) == 0
    assert capsys.readouterr() == (
        "station:          CP-2\n"
        "registered:       yes\n"
        "updated:          -\n"
        "enabled:          no (refused at the handshake)\n"
        "security profile: 1\n"
        "group:            -\n"
        "connected:        never seen\n",
        "",
    )
    assert run(["stations", "show", "CP-2", "--json"], client) == 0
    assert json.loads(capsys.readouterr().out) == {
        "station_id": "CP-2",
        "registration": {
            "security_profile": 1,
            "group": None,
            "enabled": False,
            "created_at": None,
            "updated_at": None,
            "pending_security_profile": None,
            "password_rotation_pending": False,
        },
    }


def test_show_without_the_device_model_service_shows_the_registration(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.registered = REGISTERED
    client.errors["get_station"] = ServiceUnreachable("device-model", "dm.test:50051", "refused")
    assert run(["stations", "show", "CP-2", "--json"], client) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["registration"]["enabled"] is False
    assert (
        err
        == "warning: cannot reach the device-model service at dm.test:50051 (refused); showing the registration only\n"
    )


def test_list_of_a_group(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    client.stations = [SEEN_ONLY, CONNECTED]
    assert run(["stations", "list", "--group", "site-a"], client) == 0
    assert capsys.readouterr() == (
        "STATION  PROFILE  GROUP   ENABLED  VENDOR  MODEL    OCPP   CONNECTED  NODE    LAST SEEN\n"
        "CP-1     2        site-a  yes      ACME    Volt 22  2.0.1  yes        edge-1  2025-03-01T12:00:05Z\n",
        "",
    )
    assert client.calls[0] == ("list_registered_stations", "site-a")


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        (["--password-env"], {"password": PASSWORD}),
        (["--security-profile", "3"], {"security_profile": 3}),
        (["--group", "site-b"], {"group": "site-b"}),
        (["--no-group"], {"group": ""}),
        (["--disable"], {"enabled": False}),
        (["--enable", "--security-profile", "2"], {"enabled": True, "security_profile": 2}),
    ],
)
def test_update_sends_only_the_fields_given(
    client: FakeClient, capsys: pytest.CaptureFixture[str], options: list[str], fields: dict[str, object]
) -> None:
    client.registered = REGISTERED
    assert run(["stations", "update", "CP-1", *options], client) == 0
    assert capsys.readouterr() == ("updated CP-1\n", "")
    assert client.calls == [("update_station", UpdateStationRequest(station_id="CP-1", **fields))]  # type: ignore[arg-type]


def test_update_without_a_change_is_a_usage_error(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "update", "CP-1"], client) == 4
    assert "nothing to change" in capsys.readouterr().err
    assert client.calls == []


@pytest.mark.parametrize("options", [["--enable", "--disable"], ["--group", "g", "--no-group"]])
def test_update_with_contradicting_options_is_a_usage_error(
    client: FakeClient, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    assert run(["stations", "update", "CP-1", *options], client) == 4
    assert "not allowed with argument" in capsys.readouterr().err
    assert client.calls == []


def test_update_of_an_unknown_station_exits_1(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["stations", "update", "CP-9", "--disable"], client) == 1
    assert capsys.readouterr() == ("", "error: station CP-9 not found\n")


def test_update_refused_by_the_service_exits_4(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    message = "password must be 16..64 characters (OCPP BasicAuthPassword), got 5"
    client.errors["update_station"] = RpcFailed("authorization", grpc.StatusCode.INVALID_ARGUMENT, message)
    os.environ["CSMS_STATION_PASSWORD"] = "short"
    assert run(["stations", "update", "CP-1", "--password-env"], client) == 4
    assert capsys.readouterr() == ("", f"error: {message}\n")


def test_delete(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.registered = REGISTERED
    assert run(["stations", "delete", "CP-1"], client) == 0
    assert capsys.readouterr() == ("deleted CP-1\n", "")
    assert run(["stations", "delete", "CP-9"], client) == 1
    assert capsys.readouterr() == ("", "error: station CP-9 not found\n")
    assert client.calls == [("delete_station", "CP-1"), ("delete_station", "CP-9")]
