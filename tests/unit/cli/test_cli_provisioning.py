"""`csms provisioning show|set|accept|boots` against a fake client: arguments, output and exit codes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_cli import exit_codes
from csms_cli.client import Addresses
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp

AT = timestamp(datetime(2026, 11, 21, 10, tzinfo=UTC))
BOOTS = [
    dm.StationBoot(
        booted_at=AT,
        message_id="m-2",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        reason="RemoteReset",
        firmware_version="1.1",
        vendor="ACME",
        model="DC-9",
        registration_status="Accepted",
    ),
    dm.StationBoot(
        booted_at=AT,
        message_id="m-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        reason="PowerUp",
        firmware_version="1.0",
        vendor="ACME",
        model="DC-9",
        registration_status="Pending",
    ),
]


@dataclass
class FakeClient:
    calls: list[tuple[object, ...]] = field(default_factory=list)

    def __call__(self, addresses: Addresses) -> FakeClient:
        return self

    def get_station_provisioning(self, station_id: str) -> dm.StationProvisioning:
        self.calls.append(("get", station_id))
        return dm.StationProvisioning(
            station_id=station_id, boot_policy="Pending", registration_status="Pending", booted_at=AT
        )

    def set_station_provisioning(self, request: dm.SetStationProvisioningRequest) -> dm.SetStationProvisioningResponse:
        self.calls.append(("set", request.station_id, request.boot_policy, request.trigger_boot))
        response = dm.SetStationProvisioningResponse(
            provisioning=dm.StationProvisioning(
                station_id=request.station_id, boot_policy=request.boot_policy, explicit=True, updated_at=AT
            )
        )
        if request.trigger_boot:
            response.trigger_command.command_id = "cmd-9"
        return response

    def list_station_boots(self, station_id: str, limit: int) -> tuple[list[dm.StationBoot], bool]:
        self.calls.append(("boots", station_id, limit))
        return BOOTS[:limit], len(BOOTS) > limit

    def close(self) -> None:
        return None


def cli(client: FakeClient, *argv: str) -> int:
    factory: Any = client
    return run(list(argv), client_factory=factory)


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(FakeClient(), "provisioning", "show", "CS-1") == exit_codes.OK
    assert capsys.readouterr().out.splitlines() == [
        "station:          CS-1",
        "boot policy:      Pending (default for new stations)",
        "set at:           -",
        "last boot answer: Pending",
        "last boot at:     2026-11-21T10:00:00Z",
    ]


def test_accept_triggers_a_boot_and_set_may_not(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert cli(client, "provisioning", "accept", "CS-1") == exit_codes.OK
    assert "boot triggered: command cmd-9" in capsys.readouterr().out
    assert cli(client, "provisioning", "set", "CS-2", "rejected", "--no-trigger", "--json") == exit_codes.OK
    assert json.loads(capsys.readouterr().out)["provisioning"]["boot_policy"] == "Rejected"
    assert client.calls == [("set", "CS-1", "Accepted", True), ("set", "CS-2", "Rejected", False)]


def test_an_unknown_policy_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert cli(client, "provisioning", "set", "CS-1", "enabled") == exit_codes.INVALID
    assert "invalid choice" in capsys.readouterr().err
    assert client.calls == []


def test_boots_newest_first_and_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert cli(client, "provisioning", "boots", "CS-1") == exit_codes.OK
    assert capsys.readouterr().out.splitlines() == [
        "BOOTED                OCPP   REASON       FIRMWARE  VENDOR  MODEL  ANSWER",
        "2026-11-21T10:00:00Z  2.0.1  RemoteReset  1.1       ACME    DC-9   Accepted",
        "2026-11-21T10:00:00Z  2.0.1  PowerUp      1.0       ACME    DC-9   Pending",
    ]
    assert cli(client, "provisioning", "boots", "CS-1", "--limit", "1", "--json") == exit_codes.OK
    captured = capsys.readouterr()
    assert [boot["message_id"] for boot in json.loads(captured.out)] == ["m-2"]
    assert "more than 1" in captured.err
    assert cli(client, "provisioning", "boots", "CS-1", "--limit", "0") == exit_codes.INVALID
