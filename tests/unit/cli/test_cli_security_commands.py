"""`csms command` security commands: certificates read from PEM files (or stdin), hash data or a certificate to
delete, a new password only from stdin, a prompt or generated (never argv, never printed), profile upgrades with
their network profile options."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_cli.main import run
from kit.fakes.cli_client import FakeClient

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
ANSWERED = pb.Command(command_id="c-1", state=pb.COMMAND_STATE_ANSWERED, result_json='{"status": "accepted"}')


@pytest.fixture
def pem_file(tmp_path: Path) -> str:
    path = tmp_path / "cert.pem"
    path.write_text(PEM)
    return str(path)


def sent(client: FakeClient) -> tuple[str, dict[str, object]]:
    ((name, request),) = client.calls
    assert name == "send_command" and isinstance(request, pb.SendCommandRequest)
    assert request.station_id == "CP-1"
    return request.command, json.loads(request.params_json)


def test_certificates_are_read_from_pem_files(client: FakeClient, pem_file: str) -> None:
    client.command = ANSWERED
    assert run(["command", "certificate-signed", "CP-1", "--chain-file", pem_file, "--type", "v2g"], client) == 0
    assert sent(client) == ("certificate-signed", {"certificate_chain_pem": PEM, "certificate_type": "v2g"})
    client.calls.clear()
    assert run(["command", "install-certificate", "CP-1", "mo_root", "--file", pem_file], client) == 0
    assert sent(client) == ("install-certificate", {"certificate_type": "mo_root", "certificate_pem": PEM})


def test_a_pem_from_stdin(client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client.command = ANSWERED
    monkeypatch.setattr("sys.stdin", io.StringIO(PEM))
    assert run(["command", "certificate-signed", "CP-1", "--chain-file", "-", "--request-id", "3"], client) == 0
    assert sent(client)[1] == {"certificate_chain_pem": PEM, "certificate_type": "charging_station", "request_id": 3}


def test_listing_and_deleting_certificates(client: FakeClient, pem_file: str) -> None:
    client.command = ANSWERED
    assert run(["command", "get-installed-certificate-ids", "CP-1", "csms_root", "v2g_root"], client) == 0
    assert sent(client) == ("get-installed-certificate-ids", {"certificate_types": ["csms_root", "v2g_root"]})
    client.calls.clear()
    argv = ["--serial-number", "1f", "--issuer-name-hash", "aa", "--issuer-key-hash", "bb"]
    assert run(["command", "delete-certificate", "CP-1", *argv], client) == 0
    assert sent(client) == (
        "delete-certificate",
        {"hash_algorithm": "SHA256", "issuer_name_hash": "aa", "issuer_key_hash": "bb", "serial_number": "1f"},
    )
    client.calls.clear()
    argv = ["--certificate-file", pem_file, "--hash-algorithm", "SHA384"]
    assert run(["command", "delete-certificate", "CP-1", *argv], client) == 0
    assert sent(client) == ("delete-certificate", {"certificate_pem": PEM, "hash_algorithm": "SHA384"})


def test_a_new_password_comes_from_stdin_and_is_never_printed(
    client: FakeClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client.command = ANSWERED
    monkeypatch.setattr("sys.stdin", io.StringIO("a-brand-new-password-42\nignored\n"))
    assert run(["command", "set-password", "CP-1", "--password-stdin"], client) == 0
    assert sent(client) == ("set-password", {"password": "a-brand-new-password-42"})
    assert "a-brand-new-password-42" not in "".join(capsys.readouterr())


def test_a_generated_password_is_40_hex_digits_and_never_printed(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.command = ANSWERED
    assert run(["command", "set-password", "CP-1", "--generate"], client) == 0
    password = str(sent(client)[1]["password"])
    assert len(password) == 40 and int(password, 16) >= 0
    assert password not in "".join(capsys.readouterr())


def test_a_password_prompt_on_a_terminal(client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client.command = ANSWERED
    answers = iter(["typed-password-0123", "typed-password-0123"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert run(["command", "set-password", "CP-1"], client) == 0
    assert sent(client)[1] == {"password": "typed-password-0123"}


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["set-password", "CP-1"], "", "give the password with --password-stdin, or --generate one"),
        (["set-password", "CP-1", "--password-stdin"], "\n", "the password is empty"),
        (["install-certificate", "CP-1", "csms_root", "--file", "/nonexistent.pem"], "", "cannot read /nonexistent"),
        (
            ["delete-certificate", "CP-1", "--certificate-file", "-", "--issuer-key-hash", "aa"],
            PEM,
            "give either --certificate-file or the hash data",
        ),
    ],
)
def test_bad_arguments_exit_4_without_a_call(
    client: FakeClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert run(["command", *argv], client) == 4
    assert message in capsys.readouterr().err
    assert client.calls == []


def test_the_password_is_not_an_argument(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["command", "set-password", "CP-1", "--password", "on-the-command-line"], client) != 0
    assert "unrecognized arguments: on-the-command-line" in capsys.readouterr().err
    assert client.calls == []


def test_a_profile_upgrade_with_its_network_profile(client: FakeClient) -> None:
    client.command = ANSWERED
    argv = ["2", "--csms-url", "wss://csms/ocpp", "--slot", "2", "--fallback-slot", "1", "--reset", "immediate"]
    assert run(["command", "set-security-profile", "CP-1", *argv], client) == 0
    assert sent(client) == (
        "set-security-profile",
        {
            "security_profile": 2,
            "csms_url": "wss://csms/ocpp",
            "configuration_slot": 2,
            "fallback_slots": [1],
            "reset": "immediate",
        },
    )
    client.calls.clear()
    assert run(["command", "set-security-profile", "CP-1", "3"], client) == 0
    assert sent(client) == ("set-security-profile", {"security_profile": 3})
