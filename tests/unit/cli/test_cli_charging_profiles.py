"""`csms charging-profiles show|set|clear|report|composite` against a fake client: the requests built from the
arguments (the commands' neutral params), the output, and bad arguments refused before anything is sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms_cli import exit_codes
from csms_cli.client import Addresses
from csms_cli.main import run

PROFILE = {
    "id": 1,
    "stack_level": 0,
    "purpose": "ChargingStationMaxProfile",
    "kind": "Absolute",
    "schedules": [{"id": 1, "charging_rate_unit": "A", "periods": [{"start_period": 0, "limit": 32}]}],
}


@dataclass
class FakeClient:
    calls: list[tuple[str, Any]] = field(default_factory=list)
    addresses: Addresses | None = None

    def __call__(self, addresses: Addresses) -> FakeClient:
        self.addresses = addresses
        return self

    def profile_command(self, command: str, request: sc.ProfileCommandRequest) -> sc.ProfileRequested:
        self.calls.append((command, request))
        return sc.ProfileRequested(request_key=request.request_key or "new", command=command, command_id="c-1")

    def station_profiles(self, station_id: str) -> sc.StationChargingProfiles:
        self.calls.append(("show", station_id))
        return sc.StationChargingProfiles(
            station_id=station_id,
            installed=[
                sc.InstalledProfile(
                    evse_id=0, profile_id=1, purpose="ChargingStationMaxProfile", profile_json=json.dumps(PROFILE)
                )
            ],
            requests=[
                sc.ProfileRequestState(
                    request=sc.ProfileRequested(command="set-charging-profile"),
                    state="ANSWERED",
                    result_json='{"status": "accepted"}',
                )
            ],
            reported=[
                sc.ReportedProfile(evse_id=1, ocpp_request_id=5, charging_limit_source="EMS", profile_json='{"id": 4}')
            ],
        )

    def close(self) -> None:
        return None


def params(request: sc.ProfileCommandRequest) -> Any:
    return json.loads(request.params_json)


def test_set_from_json_and_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    args = ["--smart-charging", "sc:1", "charging-profiles", "set", "CS-1", "--evse", "0"]
    assert run([*args, "--profile", json.dumps(PROFILE), "--key", "k"], client) == exit_codes.OK
    assert client.addresses is not None and client.addresses.smart_charging == "sc:1"
    file = tmp_path / "p.json"
    file.write_text(json.dumps(PROFILE))
    assert run([*args, "--profile-file", str(file)], client) == exit_codes.OK
    [(first_command, first), (_, second)] = client.calls
    assert (first_command, first.station_id, first.request_key) == ("set-charging-profile", "CS-1", "k")
    assert params(first) == params(second) == {"evse_id": 0, "profile": PROFILE}
    assert "set-charging-profile" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "command", "expected"),
    [
        (["clear", "CS-1", "--id", "3"], "clear-charging-profile", {"id": 3}),
        (["clear", "CS-1", "--purpose", "TxDefaultProfile"], "clear-charging-profile", {"purpose": "TxDefaultProfile"}),
        (
            ["report", "CS-1", "--id", "3", "--id", "4", "--evse", "1"],
            "get-charging-profiles",
            {"ids": [3, 4], "evse_id": 1},
        ),
        (
            ["composite", "CS-1", "--evse", "1", "--duration", "600", "--unit", "W"],
            "get-composite-schedule",
            {"evse_id": 1, "duration": 600, "charging_rate_unit": "W"},
        ),
    ],
)
def test_the_other_commands(args: list[str], command: str, expected: dict[str, Any]) -> None:
    client = FakeClient()
    assert run(["charging-profiles", *args], client) == exit_codes.OK
    [(sent_command, request)] = client.calls
    assert (sent_command, params(request)) == (command, expected)


def test_bad_arguments_send_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    args = ["charging-profiles", "set", "CS-1", "--evse", "0"]
    assert run([*args, "--profile", "{not json"], client) == exit_codes.INVALID
    assert run([*args, "--profile", "{}", "--expires-in", "5"], client) == exit_codes.INVALID
    assert client.calls == []
    assert "the profile" in capsys.readouterr().err


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["charging-profiles", "show", "CS-1"], client) == exit_codes.OK
    out = capsys.readouterr().out
    assert "ChargingStationMaxProfile" in out and "A 0s:32" in out and "ANSWERED" in out
    assert "REPORTED ID" in out and "EMS" in out
    assert run(["charging-profiles", "show", "CS-1", "--json"], client) == exit_codes.OK
    assert json.loads(capsys.readouterr().out)["installed"][0]["profile_id"] == 1
