"""`csms firmware update|status|history|log|logs` against a fake client: the requests built from the arguments,
the output, and bad arguments refused before anything is sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from csms.firmware.v1 import firmware_pb2
from csms_cli import exit_codes
from csms_cli.client import Addresses
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp

AT = timestamp(datetime(2026, 12, 6, 12, tzinfo=UTC))


def update_history() -> firmware_pb2.RequestHistory:
    entry = firmware_pb2.RequestHistory(
        station_id="CS-1",
        request=firmware_pb2.FirmwareRequested(
            request_key="k-1",
            kind=firmware_pb2.REQUEST_KIND_FIRMWARE_UPDATE,
            command="update-firmware",
            command_id="c-1",
            ocpp_request_id=7,
            params_json='{"location": "https://fw/2.0.bin"}',
        ),
        requested_at=AT,
        command_outcome=firmware_pb2.CommandOutcome(state="ANSWERED", result_json='{"status":"accepted"}'),
        last_status="Installed",
        booted_version="2.0",
        new_version_booted=True,
    )
    for status in ("Downloading", "Downloaded", "Installing", "Installed"):
        entry.statuses.add(status=status, action="FirmwareStatusNotification", recorded_at=AT)
    return entry


@dataclass
class FakeClient:
    calls: list[tuple[str, Any]] = field(default_factory=list)
    addresses: Addresses | None = None

    def __call__(self, addresses: Addresses) -> FakeClient:
        self.addresses = addresses
        return self

    def request_firmware_update(
        self, request: firmware_pb2.RequestFirmwareUpdateRequest
    ) -> firmware_pb2.FirmwareRequested:
        self.calls.append(("update", request))
        return firmware_pb2.FirmwareRequested(request_key=request.request_key or "new", command="update-firmware")

    def request_log_upload(self, request: firmware_pb2.RequestLogUploadRequest) -> firmware_pb2.FirmwareRequested:
        self.calls.append(("log", request))
        return firmware_pb2.FirmwareRequested(request_key="new", command=request.command, ocpp_request_id=3)

    def station_firmware(self, station_id: str) -> firmware_pb2.GetStationFirmwareResponse:
        self.calls.append(("firmware", station_id))
        return firmware_pb2.GetStationFirmwareResponse(
            current=update_history(), updates=[update_history()], installed_version="2.0"
        )

    def log_requests(self, station_id: str) -> firmware_pb2.ListLogRequestsResponse:
        self.calls.append(("logs", station_id))
        return firmware_pb2.ListLogRequestsResponse()

    def close(self) -> None:
        return None


def test_update_sends_the_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    certificate = tmp_path / "signer.pem"
    certificate.write_text("-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n")
    client = FakeClient()
    code = run(
        [
            "--firmware",
            "fw:1",
            "firmware",
            "update",
            "CS-1",
            "--location",
            "https://fw/2.0.bin",
            "--retrieve-at",
            "2026-12-06T13:00:00+01:00",
            "--signing-certificate",
            str(certificate),
            "--signature",
            "c2ln",
            "--retries",
            "0",
            "--key",
            "rollout-1",
        ],
        client,
    )
    assert code == exit_codes.OK
    assert client.addresses is not None and client.addresses.firmware == "fw:1"
    [(name, request)] = client.calls
    expected = firmware_pb2.RequestFirmwareUpdateRequest(
        station_id="CS-1",
        location="https://fw/2.0.bin",
        retrieve_at=AT,
        signing_certificate=certificate.read_text(),
        signature="c2ln",
        has_retries=True,
        retries=0,
        request_key="rollout-1",
    )
    assert (name, request) == ("update", expected)
    assert "request:" in capsys.readouterr().out


def test_update_of_an_uploaded_image(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["firmware", "update", "CS-1", "--image", "img-1", "--key", "k"], client) == exit_codes.OK
    [(name, request)] = client.calls
    assert (name, request) == (
        "update",
        firmware_pb2.RequestFirmwareUpdateRequest(station_id="CS-1", image_id="img-1", request_key="k"),
    )


def test_update_takes_a_location_or_an_image_not_both(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["firmware", "update", "CS-1", "--image", "i", "--location", "x://y"], client) != exit_codes.OK
    assert "not allowed with argument" in capsys.readouterr().err
    assert client.calls == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["firmware", "update", "CS-1", "--location", "x://y", "--retrieve-at", "soon"], "--retrieve-at: not an RFC"),
        (["firmware", "update", "CS-1", "--location", "x://y", "--expires-in", "5"], "only for --queue-if-offline"),
        (["firmware", "log", "CS-1", "--location", "x://y", "--diagnostics", "--type", "security"], "diagnostics only"),
    ],
)
def test_bad_arguments_send_nothing(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(argv, client) == exit_codes.INVALID
    assert message in capsys.readouterr().err
    assert client.calls == []


def test_log_and_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["firmware", "log", "CS-1", "--location", "https://up/1", "--type", "security", "--json"], client) == 0
    assert json.loads(capsys.readouterr().out)["ocpp_request_id"] == 3
    assert (
        run(["firmware", "log", "CS-1", "--location", "ftp://up/", "--diagnostics", "--queue-if-offline"], client) == 0
    )
    (_, log), (_, diagnostics) = client.calls
    assert (log.command, log.log_type, log.remote_location) == ("get-log", "security", "https://up/1")
    assert (diagnostics.command, diagnostics.queue_if_offline) == ("get-diagnostics", True)


def test_status_and_history(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["firmware", "status", "CS-1"], client) == exit_codes.OK
    status = capsys.readouterr().out
    assert "installed version: 2.0" in status
    assert "Installed" in status and "https://fw/2.0.bin" in status
    assert run(["firmware", "history", "CS-1"], client) == exit_codes.OK
    history = capsys.readouterr().out
    assert "Downloading > Downloaded > Installing > Installed" in history
    assert 'answered {"status":"accepted"}' in history
    assert run(["firmware", "history", "CS-1", "--json"], client) == exit_codes.OK
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["booted_version"], entry["new_version_booted"]) == ("2.0", True)
    assert run(["firmware", "logs", "CS-1"], client) == exit_codes.OK
    assert capsys.readouterr().out.startswith("REQUESTED")
