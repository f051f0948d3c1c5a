"""Firmware updates and log uploads end to end (docs/adr/0037), through the HTTP API to a 1.6 and a 2.0.1 station
(tests/kit/stations): the update request reaches the station once (a repeat with the same Idempotency-Key sends
nothing again), the station reports the status sequence itself and boots with the new firmware version, and the
history shows every status, the command's answer and the new version booted (also through `csms firmware
history`); a signed image goes to a 1.6 station as SignedUpdateFirmware and its SignedFirmwareStatusNotifications
match by requestId; a status for an unknown request is answered and shown as unmatched; a log request reaches the
station and its upload statuses are listed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import register
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201 = OcppVersion.V16, OcppVersion.V201
SEQUENCE = ["Downloading", "Downloaded", "Installing", "Installed"]
LOCATION = "https://firmware.example/e2e-2.0.bin"


async def boot(station: Any, version: OcppVersion, firmware_version: str) -> None:
    if version is V16:
        request: Any = call16.BootNotification(
            charge_point_vendor="ACME", charge_point_model="AC-16", firmware_version=firmware_version
        )
    else:
        request = call201.BootNotification(
            charging_station={"vendor_name": "ACME", "model": "DC-2", "firmware_version": firmware_version},
            reason="FirmwareUpdate" if firmware_version != "1.0" else "PowerUp",
        )
    assert (await station.call(request)).status == "Accepted"


async def firmware_status(station: Any, version: OcppVersion, status: str, request_id: int | None) -> None:
    if version is V16:
        await station.call(call16.FirmwareStatusNotification(status=status))
    else:
        await station.call(call201.FirmwareStatusNotification(status=status, request_id=request_id))


def received(station: Any, action: str) -> list[dict[str, Any]]:
    return [payload for name, payload in station.received.calls if name == action]


async def get(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    answer = await http.get(path)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize("version", [V16, V201])
async def test_a_station_updated_through_the_api(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, cli: Cli, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-FW-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await boot(station, version, "1.0")
        await connected(stack, station_id)

        headers = {"Idempotency-Key": f"e2e-{station_id}"}
        answer = await operator.post(
            f"/api/v1/stations/{station_id}/firmware/update", json={"location": LOCATION}, headers=headers
        )
        assert answer.status_code == 202, answer.text
        made = answer.json()
        assert (made["kind"], made["command"], made["request_key"]) == (
            "firmware_update",
            "update-firmware",
            f"e2e-{station_id}",
        )
        [update] = await eventually(
            lambda: _async(received(station, "UpdateFirmware")), bool, what="UpdateFirmware at the station"
        )
        if version is V16:
            assert update["location"] == LOCATION
            request_id = None
        else:
            assert update["firmware"]["location"] == LOCATION
            request_id = update["requestId"]
            assert request_id == made["ocpp_request_id"]

        again = await operator.post(
            f"/api/v1/stations/{station_id}/firmware/update", json={"location": LOCATION}, headers=headers
        )
        assert again.status_code == 202, again.text
        assert (again.json()["command_id"], again.json()["request_key"]) == (made["command_id"], made["request_key"])

        for status in SEQUENCE:
            await firmware_status(station, version, status, request_id)
        if version is V201:
            await firmware_status(station, version, "Downloading", 999_999)
        await boot(station, version, "2.0")

        def done(found: dict[str, Any]) -> bool:
            current = found["current"] or {}
            return current.get("booted_version") == "2.0" and current.get("command_outcome") is not None

        found = await eventually(
            lambda: get(operator, f"/api/v1/stations/{station_id}/firmware"), done, what="the update's history"
        )
        current = found["current"]
        assert current["request"]["command_id"] == made["command_id"]
        assert [s["status"] for s in current["statuses"]] == SEQUENCE
        assert (current["last_status"], current["new_version_booted"]) == ("Installed", True)
        assert current["command_outcome"]["state"] == "ANSWERED"
        assert current["command_outcome"]["result"] == {"status": "accepted"}
        assert (found["installed_version"], len(found["updates"])) == ("2.0", 1)
        assert [b["firmware_version"] for b in found["boots"]] == ["2.0", "1.0"]
        if version is V201:
            assert [(u["status"], u["ocpp_request_id"]) for u in found["unmatched"]] == [("Downloading", 999_999)]
        assert len(received(station, "UpdateFirmware")) == 1
        shown = await asyncio.to_thread(cli, "firmware", "history", station_id, "--json")
        assert shown.returncode == 0, shown.stderr
        [listed] = json.loads(shown.stdout)
        assert (listed["request"]["request_key"], listed["booted_version"]) == (f"e2e-{station_id}", "2.0")


async def test_a_signed_image_on_a_1_6_station(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-FW-SIGNED")
    certificate = "-----BEGIN CERTIFICATE-----\nMIIBsigner\n-----END CERTIFICATE-----\n"
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V16) as station:
        await boot(station, V16, "1.0")
        await connected(stack, station_id)
        body = {"location": LOCATION, "signature": "c2lnbmF0dXJl", "signing_certificate": certificate}
        answer = await operator.post(f"/api/v1/stations/{station_id}/firmware/update", json=body)
        assert answer.status_code == 202, answer.text
        [signed] = await eventually(
            lambda: _async(received(station, "SignedUpdateFirmware")), bool, what="SignedUpdateFirmware"
        )
        request_id = signed["requestId"]
        assert request_id == answer.json()["ocpp_request_id"]
        assert (signed["firmware"]["signature"], signed["firmware"]["signing_certificate"]) == (
            "c2lnbmF0dXJl",
            certificate,
        )
        for status in ("Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"):
            await station.call(call16.SignedFirmwareStatusNotification(status=status, request_id=request_id))
        found = await eventually(
            lambda: get(operator, f"/api/v1/stations/{station_id}/firmware"),
            lambda body: (body["current"] or {}).get("last_status") == "Installed",
            what="the signed update's statuses",
        )
        statuses = found["current"]["statuses"]
        assert [s["status"] for s in statuses] == [
            "Downloading",
            "Downloaded",
            "SignatureVerified",
            "Installing",
            "Installed",
        ]
        assert {s["action"] for s in statuses} == {"SignedFirmwareStatusNotification"}
        assert received(station, "UpdateFirmware") == []


@pytest.mark.parametrize("version", [V16, V201])
async def test_a_log_upload_requested_and_followed(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-LOG-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await boot(station, version, "1.0")
        await connected(stack, station_id)
        answer = await operator.post(
            f"/api/v1/stations/{station_id}/logs/request",
            json={"remote_location": "https://upload.example/e2e", "log_type": "security"},
        )
        assert answer.status_code == 202, answer.text
        [get_log] = await eventually(lambda: _async(received(station, "GetLog")), bool, what="GetLog at the station")
        assert (get_log["logType"], get_log["requestId"]) == ("SecurityLog", answer.json()["ocpp_request_id"])
        log_status = call16.LogStatusNotification if version is V16 else call201.LogStatusNotification
        for status in ("Uploading", "Uploaded"):
            await station.call(log_status(status=status, request_id=get_log["requestId"]))
        found = await eventually(
            lambda: get(operator, f"/api/v1/stations/{station_id}/logs"),
            lambda body: bool(body["requests"]) and body["requests"][0]["last_status"] == "Uploaded",
            what="the log request's statuses",
        )
        [entry] = found["requests"]
        assert [s["status"] for s in entry["statuses"]] == ["Uploading", "Uploaded"]
        assert entry["request"]["params"]["remote_location"] == "https://upload.example/e2e"


async def _async(value: Any) -> Any:
    return value
