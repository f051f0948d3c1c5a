"""A station's firmware and logs over HTTP: the bodies reach FirmwareService as requests (Idempotency-Key as the
request key, expiry from the API clock), histories come back as JSON, scopes and the service's errors apply."""

from __future__ import annotations

from datetime import timedelta

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from csms.envelope.v1 import envelope_pb2
from csms.firmware.v1 import firmware_pb2 as fw
from csms_api.domain.keys import Scope
from kit.builders.api import NOW, Api

T0 = Timestamp(seconds=1_796_000_000)


async def test_an_update_request(api: Api) -> None:
    body = {
        "location": "https://fw.example/2.0.bin",
        "retrieve_at": "2026-12-06T13:00:00Z",
        "retries": 2,
        "signature": "c2ln",
        "queue_if_offline": True,
        "expires_in": 3600,
    }
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(
            "/api/v1/stations/CP-1/firmware/update", json=body, headers={"Idempotency-Key": "rollout-7"}
        )
    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"] == "/api/v1/stations/CP-1/firmware"
    assert answer.json() == {
        "request_key": "rollout-7",
        "kind": "firmware_update",
        "command": "update-firmware",
        "command_id": "cmd-1",
        "image_id": None,
        "ocpp_request_id": 7,
        "params": {},
        "queued_if_offline": False,
    }
    [sent] = api.firmware.requests("request_firmware_update")
    expected = fw.RequestFirmwareUpdateRequest(
        station_id="CP-1",
        location="https://fw.example/2.0.bin",
        has_retries=True,
        retries=2,
        signature="c2ln",
        queue_if_offline=True,
        request_key="rollout-7",
    )
    expected.retrieve_at.FromJsonString("2026-12-06T13:00:00Z")
    expected.expires_at.FromDatetime(NOW + timedelta(hours=1))
    assert sent == expected


async def test_an_update_of_an_uploaded_image(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(
            "/api/v1/stations/CP-1/firmware/update", json={"image_id": "img-1"}, headers={"Idempotency-Key": "k"}
        )
    assert answer.status_code == 202, answer.text
    [sent] = api.firmware.requests("request_firmware_update")
    assert sent == fw.RequestFirmwareUpdateRequest(station_id="CP-1", image_id="img-1", request_key="k")


async def test_an_update_names_exactly_one_of_location_and_image(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        both = await client.post(
            "/api/v1/stations/CP-1/firmware/update", json={"location": "ftp://f/x", "image_id": "img-1"}
        )
        neither = await client.post("/api/v1/stations/CP-1/firmware/update", json={"retries": 1})
    assert [both.status_code, neither.status_code] == [422, 422]
    assert "give either location or image_id" in both.text
    assert api.firmware.calls == []


async def test_bad_bodies_are_422_and_reach_nothing(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        no_url = await client.post("/api/v1/stations/CP-1/firmware/update", json={"location": "not a url"})
        expiry = await client.post(
            "/api/v1/stations/CP-1/firmware/update", json={"location": "ftp://f/x", "expires_in": 5}
        )
        log_type = await client.post(
            "/api/v1/stations/CP-1/logs/request",
            json={"remote_location": "https://u/1", "command": "get-diagnostics", "log_type": "security"},
        )
    assert [r.status_code for r in (no_url, expiry, log_type)] == [422, 422, 422]
    assert api.firmware.calls == []


async def test_read_scope_cannot_request(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        answer = await client.post("/api/v1/stations/CP-1/firmware/update", json={"location": "ftp://f/x"})
    assert answer.status_code == 403


async def test_the_services_refusal_is_a_problem(api: Api) -> None:
    api.firmware.fail("request_firmware_update", grpc.StatusCode.FAILED_PRECONDITION, "station CP-1 is offline")
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/firmware/update", json={"location": "ftp://f/x"})
    assert answer.status_code == 409
    assert "offline" in answer.json()["detail"]


async def test_a_log_request(api: Api) -> None:
    body = {"remote_location": "https://up.example/t1", "log_type": "security", "oldest": "2026-12-01T00:00:00Z"}
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/logs/request", json=body)
    assert answer.status_code == 202, answer.text
    assert (answer.json()["kind"], answer.json()["command"]) == ("log_upload", "get-log")
    [sent] = api.firmware.requests("request_log_upload")
    expected = fw.RequestLogUploadRequest(
        station_id="CP-1", command="get-log", log_type="security", remote_location="https://up.example/t1"
    )
    expected.oldest.FromJsonString("2026-12-01T00:00:00Z")
    assert sent == expected


def history() -> fw.RequestHistory:
    entry = fw.RequestHistory(
        station_id="CP-1",
        request=fw.FirmwareRequested(
            request_key="k",
            kind=fw.REQUEST_KIND_FIRMWARE_UPDATE,
            command="update-firmware",
            command_id="c-1",
            ocpp_request_id=7,
            params_json='{"location": "ftp://f/x"}',
        ),
        requested_at=T0,
        command_outcome=fw.CommandOutcome(state="ANSWERED", result_json='{"status": "accepted"}'),
        last_status="Installed",
        booted_version="2.0",
        new_version_booted=True,
    )
    entry.statuses.add(status="Installed", action="FirmwareStatusNotification", recorded_at=T0)
    return entry


async def test_a_station_firmware_history(api: Api) -> None:
    unknown = fw.UnmatchedReport(
        report=fw.StatusReported(
            kind=fw.REPORT_KIND_FIRMWARE,
            action="FirmwareStatusNotification",
            status="Downloading",
            has_request_id=True,
            ocpp_request_id=99,
            ocpp_version=envelope_pb2.OCPP_VERSION_201,
        ),
        recorded_at=T0,
    )
    api.firmware.firmware["CP-1"] = fw.GetStationFirmwareResponse(
        current=history(),
        updates=[history()],
        boots=[fw.BootEntry(booted_at=T0, firmware_version="2.0", reason="FirmwareUpdate")],
        installed_version="2.0",
        unmatched=[unknown],
    )
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/firmware")
    assert answer.status_code == 200
    found = answer.json()
    at = "2026-11-30T00:53:20Z"
    assert found["current"] == {
        "request": {
            "request_key": "k",
            "kind": "firmware_update",
            "command": "update-firmware",
            "command_id": "c-1",
            "image_id": None,
            "ocpp_request_id": 7,
            "params": {"location": "ftp://f/x"},
            "queued_if_offline": False,
        },
        "requested_at": at,
        "command_outcome": {"state": "ANSWERED", "result": {"status": "accepted"}, "failure": None},
        "statuses": [
            {
                "status": "Installed",
                "action": "FirmwareStatusNotification",
                "recorded_at": at,
                "reason_code": None,
                "additional_info": None,
            }
        ],
        "last_status": "Installed",
        "booted_version": "2.0",
        "new_version_booted": True,
    }
    assert found["updates"] == [found["current"]]
    assert found["boots"] == [{"booted_at": at, "firmware_version": "2.0", "reason": "FirmwareUpdate"}]
    assert found["installed_version"] == "2.0"
    assert found["unmatched"] == [
        {
            "kind": "firmware",
            "action": "FirmwareStatusNotification",
            "status": "Downloading",
            "ocpp_request_id": 99,
            "recorded_at": at,
            "ocpp_version": "2.0.1",
            "locations": [],
        }
    ]
    assert found["station_reports"] == []


async def test_a_station_without_history_and_its_logs(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        firmware = await client.get("/api/v1/stations/CP-2/firmware")
        logs = await client.get("/api/v1/stations/CP-2/logs")
    assert firmware.json() == {
        "installed_version": None,
        "current": None,
        "updates": [],
        "boots": [],
        "unmatched": [],
        "station_reports": [],
    }
    assert logs.json() == {"requests": [], "unmatched": []}
