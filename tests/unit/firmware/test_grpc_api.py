"""The FirmwareService servicer over fakes: update and log requests handed to device-model with the idempotency
key of the request (a repeat sends nothing again and records the same event), params built for each command,
refusals passed on with device-model's status, bad input INVALID_ARGUMENT; histories read from the read model."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.api.grpc_api import FirmwareServicer
from csms_firmware.app.requests import FirmwareRequests
from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_kernel.infra.envelopes import timestamp
from kit.builders.firmware import NOW, STATION
from kit.builders.firmware_artifacts import Clock, build_artifacts_kit
from kit.fakes.firmware import InMemoryRequestKeys, ListedHistory, PublishedEvents, RecordingCommands
from kit.fakes.firmware_campaigns import ListedCampaignLog, ListedStations
from kit.fakes.grpc_context import CONTEXT, Aborted
from unit.firmware.events import boot, report, update


class Api:
    def __init__(self, refusal: grpc.StatusCode | None = None) -> None:
        self.commands = RecordingCommands(NOW, refusal=refusal)
        self.events = PublishedEvents()
        self.history = ListedHistory()
        self.clock = Clock(NOW)
        self.keys = InMemoryRequestKeys()
        self.artifacts = build_artifacts_kit(LocalDirectoryStore(Path("/nonexistent")), clock=self.clock)
        # The station as its last BootNotification reported it (images are checked against vendor and model).
        self.stations = ListedStations([device_model_pb2.Station(station_id=STATION, vendor="ACME", model="AC-22")])
        self.requests = FirmwareRequests(
            self.keys,
            self.commands,
            self.events,
            self.clock,
            timedelta(hours=1),
            self.artifacts.artifacts,
            self.stations,
        )
        self.servicer = FirmwareServicer(self.requests, self.history, self.clock, ListedCampaignLog(), self.stations)

    @property
    def now(self) -> datetime:
        return self.clock.now

    @now.setter
    def now(self, value: datetime) -> None:
        self.clock.now = value


async def test_an_update_is_handed_over_and_recorded() -> None:
    api = Api()
    response = await api.servicer.RequestFirmwareUpdate(
        firmware_pb2.RequestFirmwareUpdateRequest(
            station_id=STATION,
            location="https://fw.example/2.0.bin",
            has_retries=True,
            retries=0,
            retry_interval_s=30,
            signature="c2ln",
            queue_if_offline=True,
            request_key="rk-1",
        ),
        CONTEXT,
    )
    [sent] = api.commands.sent
    assert (sent.station_id, sent.command, sent.idempotency_key) == (STATION, "update-firmware", "firmware:rk-1")
    assert sent.params == {
        "location": "https://fw.example/2.0.bin",
        "retrieve_date_time": "2026-12-06T12:00:00.250Z",
        "signature": "c2ln",
        "retries": 0,
        "retry_interval": 30,
    }
    assert (sent.queue_if_offline, sent.expires_at) == (True, NOW + timedelta(hours=1))
    request = response.request
    assert (request.request_key, request.command_id, request.ocpp_request_id) == ("rk-1", "cmd-1", 4242)
    assert request.kind == firmware_pb2.REQUEST_KIND_FIRMWARE_UPDATE
    [event] = api.events.events
    assert (event.station_id, event.requested, event.recorded_at) == (STATION, request, timestamp(NOW))


async def test_a_repeat_sends_nothing_again_and_records_the_same_event() -> None:
    api = Api()
    ask = firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/x", request_key="k")
    first = await api.servicer.RequestFirmwareUpdate(ask, CONTEXT)
    again = await api.servicer.RequestFirmwareUpdate(ask, CONTEXT)
    assert first == again
    assert len(api.commands.sent) == 1
    assert api.events.events[0] == api.events.events[1]


async def test_a_repeat_later_keeps_the_first_retrieve_time() -> None:
    api = Api()
    ask = firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/x", request_key="k")
    first = await api.servicer.RequestFirmwareUpdate(ask, CONTEXT)
    api.now = NOW + timedelta(minutes=5)
    again = await api.servicer.RequestFirmwareUpdate(ask, CONTEXT)
    assert first == again
    [sent] = api.commands.sent
    assert sent.params["retrieve_date_time"] == "2026-12-06T12:00:00.250Z"
    assert api.keys.claimed[(STATION, "k")] == ("update-firmware", sent.params)


async def test_a_key_used_for_another_request_is_already_exists() -> None:
    api = Api()
    await api.servicer.RequestFirmwareUpdate(
        firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/x", request_key="k"), CONTEXT
    )
    for other in [
        firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/y", request_key="k"),
        firmware_pb2.RequestFirmwareUpdateRequest(
            station_id=STATION, location="ftp://fw/x", request_key="k", retrieve_at=timestamp(NOW + timedelta(hours=1))
        ),
    ]:
        with pytest.raises(Aborted) as aborted:
            await api.servicer.RequestFirmwareUpdate(other, CONTEXT)
        assert aborted.value.code == grpc.StatusCode.ALREADY_EXISTS
        assert "request key 'k' of station CS-1 was used for another request" in aborted.value.details
    with pytest.raises(Aborted) as aborted:
        await api.servicer.RequestLogUpload(
            firmware_pb2.RequestLogUploadRequest(station_id=STATION, remote_location="ftp://u/", request_key="k"),
            CONTEXT,
        )
    assert aborted.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert len(api.commands.sent) == 1


async def test_without_a_key_each_request_is_new() -> None:
    api = Api()
    ask = firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/x")
    first = await api.servicer.RequestFirmwareUpdate(ask, CONTEXT)
    second = await api.servicer.RequestFirmwareUpdate(ask, CONTEXT)
    assert first.request.request_key != second.request.request_key
    assert len(api.commands.sent) == 2
    assert api.commands.sent[0].expires_at is None


async def test_a_log_request_and_a_diagnostics_request() -> None:
    api = Api()
    log = await api.servicer.RequestLogUpload(
        firmware_pb2.RequestLogUploadRequest(
            station_id=STATION, log_type="security", remote_location="https://up/1", oldest=timestamp(NOW)
        ),
        CONTEXT,
    )
    diagnostics = await api.servicer.RequestLogUpload(
        firmware_pb2.RequestLogUploadRequest(station_id=STATION, command="get-diagnostics", remote_location="ftp://d/"),
        CONTEXT,
    )
    assert [(s.command, s.params) for s in api.commands.sent] == [
        (
            "get-log",
            {"log_type": "security", "remote_location": "https://up/1", "oldest_timestamp": "2026-12-06T12:00:00.250Z"},
        ),
        ("get-diagnostics", {"location": "ftp://d/"}),
    ]
    assert (log.request.kind, log.request.ocpp_request_id) == (firmware_pb2.REQUEST_KIND_LOG_UPLOAD, 4242)
    assert (diagnostics.request.command, diagnostics.request.ocpp_request_id) == ("get-diagnostics", 0)
    assert json.loads(diagnostics.request.params_json) == {"location": "ftp://d/"}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (firmware_pb2.RequestLogUploadRequest(station_id=STATION), "remote_location is required"),
        (
            firmware_pb2.RequestLogUploadRequest(station_id=STATION, remote_location="x://y", log_type="all"),
            "log_type must be one of diagnostics, security",
        ),
        (
            firmware_pb2.RequestLogUploadRequest(station_id=STATION, remote_location="x://y", command="reset"),
            "command must be one of get-log, get-diagnostics",
        ),
        (
            firmware_pb2.RequestLogUploadRequest(
                station_id=STATION, remote_location="x://y", command="get-diagnostics", log_type="security"
            ),
            "get-diagnostics uploads diagnostics only",
        ),
        (firmware_pb2.RequestLogUploadRequest(station_id="a/b", remote_location="x://y"), "invalid station_id"),
    ],
)
async def test_bad_log_requests(request_: firmware_pb2.RequestLogUploadRequest, message: str) -> None:
    api = Api()
    with pytest.raises(Aborted) as aborted:
        await api.servicer.RequestLogUpload(request_, CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert message in aborted.value.details
    assert api.commands.sent == []


async def test_bad_update_requests() -> None:
    api = Api()
    for request_, message in [
        (firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION), "location is required"),
        (
            firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="x://y", request_key="k" * 151),
            "request_key: at most 150",
        ),
        (
            firmware_pb2.RequestFirmwareUpdateRequest(
                station_id=STATION, location="x://y", queue_if_offline=True, expires_at=timestamp(NOW)
            ),
            "expires_at must be in the future",
        ),
    ]:
        with pytest.raises(Aborted) as aborted:
            await api.servicer.RequestFirmwareUpdate(request_, CONTEXT)
        assert (aborted.value.code, message in aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, True)
    assert api.events.events == []


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.UNAVAILABLE,
    ],
)
async def test_device_model_refusals_keep_their_status_and_record_nothing(code: grpc.StatusCode) -> None:
    api = Api(refusal=code)
    with pytest.raises(Aborted) as aborted:
        await api.servicer.RequestFirmwareUpdate(
            firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/x"), CONTEXT
        )
    assert aborted.value.code == code
    assert api.events.events == []


async def test_station_firmware_and_log_requests() -> None:
    api = Api()
    api.history.add(
        boot(1, 0, "1.0"),
        update("u1", 10, 7),
        report(1, 11, "Installed", request_id=7),
        boot(2, 12, "2.0"),
        update("l1", 20, 9, command="get-log"),
        report(2, 21, "Uploaded", kind=firmware_pb2.REPORT_KIND_LOG, request_id=10),
    )
    firmware = await api.servicer.GetStationFirmware(
        firmware_pb2.GetStationFirmwareRequest(station_id=STATION), CONTEXT
    )
    assert (firmware.current.request.request_key, firmware.current.new_version_booted) == ("u1", True)
    assert (len(firmware.updates), firmware.installed_version) == (1, "2.0")
    logs = await api.servicer.ListLogRequests(firmware_pb2.ListLogRequestsRequest(station_id=STATION), CONTEXT)
    assert [r.request.request_key for r in logs.requests] == ["l1"]
    assert [u.report.ocpp_request_id for u in logs.unmatched] == [10]
    empty = await api.servicer.GetStationFirmware(firmware_pb2.GetStationFirmwareRequest(station_id="CS-9"), CONTEXT)
    assert (empty.HasField("current"), list(empty.updates)) == (False, [])
