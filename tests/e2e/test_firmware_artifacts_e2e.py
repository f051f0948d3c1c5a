"""Firmware from uploaded images and log files retrieved through the API, end to end (docs/adr/0037, 0038): an
image uploaded through the API goes to a 1.6 and a 2.0.1 station as its own signed URL (served by a firmware
process over HTTP, resumable with Range), the station downloads it and checks its SHA-256, reports the status
sequence and boots with the new version; a log file uploaded once to its one-time URL is retrieved through the API.
Bad input is answered clearly and loses nothing: an image with the wrong checksum (422, not listed), an altered
download URL (403), an upload over its limit (413, the token still usable), a reused token (403), an expired one
(410), a signature the station rejects (InvalidSignature in the history), statuses for unknown requests (kept as
unmatched); simulated stations download, check and boot an uploaded image themselves."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import register
from kit.stack import PASSWORD, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.firmware import image
from loadtest.simulator.runner import Simulator

pytestmark = pytest.mark.e2e

V16, V201 = OcppVersion.V16, OcppVersion.V201
SEQUENCE = ["Downloading", "Downloaded", "Installing", "Installed"]
IMAGE = b"CSMS-SIM-FIRMWARE 3.1\n" + bytes(range(256)) * 4000


async def upload_image(admin: httpx.AsyncClient, body: bytes, **query: str) -> httpx.Response:
    return await admin.post(
        "/api/v1/firmware/images",
        params={"version": "3.1", "vendor": "ACME", "filename": "fw-3.1.bin", **query},
        content=body,
        headers={"Content-Type": "application/octet-stream"},
    )


async def boot(station: Any, version: OcppVersion, firmware_version: str) -> None:
    if version is V16:
        request: Any = call16.BootNotification(
            charge_point_vendor="ACME", charge_point_model="AC-16", firmware_version=firmware_version
        )
    else:
        request = call201.BootNotification(
            charging_station={"vendor_name": "ACME", "model": "DC-2", "firmware_version": firmware_version},
            reason="PowerUp",
        )
    assert (await station.call(request)).status == "Accepted"


async def booted(operator: httpx.AsyncClient, station_id: str) -> None:
    """Until device-model knows the vendor and model of the station's boot (an image is checked against them)."""
    await eventually(
        lambda: get(operator, f"/api/v1/stations/{station_id}"),
        lambda body: bool((body.get("boot") or {}).get("vendor")),
        what=f"{station_id}'s boot in device-model",
    )


async def firmware_status(station: Any, version: OcppVersion, status: str, request_id: int | None) -> None:
    if version is V16:
        await station.call(call16.FirmwareStatusNotification(status=status))
    else:
        await station.call(call201.FirmwareStatusNotification(status=status, request_id=request_id))


async def calls(station: Any, action: str) -> list[dict[str, Any]]:
    return [payload for name, payload in station.received.calls if name == action]


async def get(http: httpx.AsyncClient, path: str) -> dict[str, Any]:
    answer = await http.get(path)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def download(location: str) -> bytes:
    """What a station does: GET the URL (the fragment stays here), resume once with Range, check the SHA-256 the
    fragment names."""
    url, _, fragment = location.partition("#")
    async with httpx.AsyncClient(timeout=30) as http:
        first = await http.get(url, headers={"Range": "bytes=0-999"})
        assert (first.status_code, first.headers["Content-Range"]) == (206, f"bytes 0-999/{len(IMAGE)}")
        rest = await http.get(url, headers={"Range": "bytes=1000-", "If-Range": first.headers["ETag"]})
        assert rest.status_code == 206
    body = first.content + rest.content
    assert fragment == "sha256=" + hashlib.sha256(body).hexdigest()
    return body


@pytest.mark.parametrize("version", [V16, V201])
async def test_a_station_updated_from_an_uploaded_image(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion
) -> None:
    uploaded = await upload_image(admin, IMAGE, sha256=hashlib.sha256(IMAGE).hexdigest())
    assert uploaded.status_code == 201, uploaded.text
    image_id = uploaded.json()["image_id"]
    station_id = await register(admin, f"E2E-IMG-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await boot(station, version, "1.0")
        await connected(stack, station_id)
        await booted(operator, station_id)
        headers = {"Idempotency-Key": f"img-{station_id}"}
        path = f"/api/v1/stations/{station_id}/firmware/update"
        # An image for another model than the one the station booted as is refused, naming both, unless forced.
        other = await upload_image(admin, IMAGE, model="ZZ-9")
        assert other.status_code == 201, other.text
        refused = await operator.post(path, json={"image_id": other.json()["image_id"]})
        assert refused.status_code == 409 and "'ZZ-9'" in refused.text, refused.text
        assert await calls(station, "UpdateFirmware") == []
        answer = await operator.post(path, json={"image_id": image_id}, headers=headers)
        assert answer.status_code == 202, answer.text
        made = answer.json()
        assert made["image_id"] == image_id
        [update] = await eventually(lambda: calls(station, "UpdateFirmware"), bool, what="UpdateFirmware")
        location = update["location"] if version is V16 else update["firmware"]["location"]
        assert urlsplit(location).path == f"/artifacts/images/{image_id}/fw-3.1.bin"
        assert await download(location) == IMAGE

        again = await operator.post(path, json={"image_id": image_id}, headers=headers)
        assert (again.status_code, again.json()["command_id"]) == (202, made["command_id"])

        request_id = None if version is V16 else update["requestId"]
        for status in SEQUENCE:
            await firmware_status(station, version, status, request_id)
        await boot(station, version, "3.1")
        found = await eventually(
            lambda: get(operator, f"/api/v1/stations/{station_id}/firmware"),
            lambda body: (body["current"] or {}).get("booted_version") == "3.1",
            what="the update's history",
        )
        current = found["current"]
        assert (current["request"]["image_id"], current["new_version_booted"]) == (image_id, True)
        assert [s["status"] for s in current["statuses"]] == SEQUENCE
        assert len(await calls(station, "UpdateFirmware")) == 1


async def test_bad_images_and_urls_are_refused_and_nothing_is_lost(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    wrong = await upload_image(admin, IMAGE, sha256="0" * 64)
    assert (wrong.status_code, "checksum" in wrong.text) == (422, True), wrong.text
    listed = await get(admin, "/api/v1/firmware/images")
    assert all(item["sha256"] != "0" * 64 for item in listed["items"])
    unknown = await operator.post(
        f"/api/v1/stations/{await register(admin, 'E2E-IMG-NONE')}/firmware/update", json={"image_id": "no-such"}
    )
    assert unknown.status_code == 404, unknown.text

    image_id = (await upload_image(admin, IMAGE)).json()["image_id"]
    signed = await operator.post(f"/api/v1/firmware/images/{image_id}/download-url", json={"station_id": "X"})
    url = signed.json()["url"]
    parts = urlsplit(url)
    altered = urlunsplit(parts._replace(query=parts.query.replace("station=X", "station=Y")))
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(url)).content == IMAGE
        refused = await http.get(altered)
    assert refused.status_code == 403, refused.text


async def test_a_rejected_signature_is_in_the_history(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    certificate = "-----BEGIN CERTIFICATE-----\nMIIBsigner\n-----END CERTIFICATE-----"
    uploaded = await upload_image(admin, IMAGE, signature="YmFk", signing_certificate=certificate)
    assert uploaded.status_code == 201, uploaded.text
    station_id = await register(admin, "E2E-IMG-SIG")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        await boot(station, V201, "1.0")
        await connected(stack, station_id)
        await booted(operator, station_id)
        answer = await operator.post(
            f"/api/v1/stations/{station_id}/firmware/update", json={"image_id": uploaded.json()["image_id"]}
        )
        assert answer.status_code == 202, answer.text
        [update] = await eventually(lambda: calls(station, "UpdateFirmware"), bool, what="UpdateFirmware")
        assert (update["firmware"]["signature"], update["firmware"]["signing_certificate"]) == ("YmFk", certificate)
        await download(update["firmware"]["location"])
        for status in ("Downloading", "Downloaded", "InvalidSignature"):
            await firmware_status(station, V201, status, update["requestId"])
        await firmware_status(station, V201, "Installed", 777_777)
        found = await eventually(
            lambda: get(operator, f"/api/v1/stations/{station_id}/firmware"),
            lambda body: (body["current"] or {}).get("last_status") == "InvalidSignature" and body["unmatched"],
            what="the rejected signature",
        )
        assert (found["current"]["new_version_booted"], found["installed_version"]) == (False, "1.0")
        assert [(u["status"], u["ocpp_request_id"]) for u in found["unmatched"]] == [("Installed", 777_777)]


async def test_a_log_file_uploaded_once_and_retrieved_through_the_api(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-LOG-FILE")
    log = b"2026-12-06T12:00:00Z boot ok\n" * 200
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        await boot(station, V201, "1.0")
        await connected(stack, station_id)
        slot = await operator.post(f"/api/v1/stations/{station_id}/upload-urls", json={"max_bytes": len(log)})
        assert slot.status_code == 201, slot.text
        upload_url = slot.json()["url"]
        answer = await operator.post(
            f"/api/v1/stations/{station_id}/logs/request", json={"remote_location": upload_url}
        )
        assert answer.status_code == 202, answer.text
        [get_log] = await eventually(lambda: calls(station, "GetLog"), bool, what="GetLog")
        assert get_log["log"]["remote_location"] == upload_url
        async with httpx.AsyncClient(timeout=30) as http:
            too_big = await http.put(upload_url + "/station.log", content=log + b"x")
            stored = await http.put(upload_url + "/station.log", content=log)
            reused = await http.put(upload_url + "/station.log", content=log)
        assert (too_big.status_code, stored.status_code, reused.status_code) == (413, 201, 403), stored.text
        for status in ("Uploading", "Uploaded"):
            await station.call(call201.LogStatusNotification(status=status, request_id=get_log["requestId"]))
        await station.call(call201.LogStatusNotification(status="Uploaded", request_id=888_888))
        uploads = await get(operator, f"/api/v1/stations/{station_id}/uploads")
        [item] = uploads["items"]
        assert (item["filename"], item["size"]) == ("station.log", len(log))
        content = await operator.get(f"/api/v1/stations/{station_id}/uploads/{item['upload_id']}/content")
        assert (content.status_code, content.content) == (200, log)
        found = await eventually(
            lambda: get(operator, f"/api/v1/stations/{station_id}/logs"),
            lambda body: (
                bool(body["requests"]) and body["requests"][0]["last_status"] == "Uploaded" and bool(body["unmatched"])
            ),
            what="the log request's statuses",
        )
        assert [(u["status"], u["ocpp_request_id"]) for u in found["unmatched"]] == [("Uploaded", 888_888)]


async def test_an_expired_upload_url_is_gone(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-LOG-EXPIRED")
    slot = await operator.post(f"/api/v1/stations/{station_id}/upload-urls", json={"ttl_s": 1, "max_bytes": 1})
    assert slot.status_code == 201, slot.text

    async def put() -> httpx.Response:
        """Over the limit, so a valid token is answered 413 and stays unused."""
        async with httpx.AsyncClient(timeout=30) as http:
            return await http.put(slot.json()["url"], content=b"late")

    late = await eventually(put, lambda answer: answer.status_code != 413, what="the URL to expire", timeout_s=10)
    assert late.status_code == 410, late.text
    assert (await get(operator, f"/api/v1/stations/{station_id}/uploads"))["items"] == []


async def test_simulated_stations_download_check_and_boot_an_uploaded_image(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    """The simulator's stations (ADR 0039) download the image over HTTP themselves, check its SHA-256 from the
    URL's fragment, install it and boot with the version it names."""
    uploaded = await upload_image(admin, image("3.2"), vendor="LoadSim")  # the simulator's vendor
    assert uploaded.status_code == 201, uploaded.text
    config = Config(
        url=stack.config.edge_url(0),
        stations=2,
        station_prefix=f"SIMFW{uuid.uuid4().hex[:6]}-",
        mix=((OcppVersion.V16, 1.0), (OcppVersion.V201, 1.0)),
        scenarios=(Scenario.STEADY,),
        duration_s=30.0,
        rate=0.0,
        behaviour=Mix(sessions=False, start_probability=0, status_probability=0, fault_probability=0),
        call_timeout_s=20.0,
        storm_timeout_s=60.0,
        provision_address=stack.config.authorization_address,
        provision_tls=stack.config.grpc_tls(),
    )
    simulator = Simulator(config, out=lambda line: None)
    run = asyncio.create_task(simulator.run())
    try:
        await eventually(lambda: asyncio.sleep(0, len(simulator.phases)), lambda n: n == 2, what="steady phase")
        for station in simulator.stations:
            await booted(operator, station.station_id)
            answer = await operator.post(
                f"/api/v1/stations/{station.station_id}/firmware/update", json={"image_id": uploaded.json()["image_id"]}
            )
            assert answer.status_code == 202, answer.text
        for station in simulator.stations:
            path = f"/api/v1/stations/{station.station_id}/firmware"
            found = await eventually(
                lambda path=path: get(operator, path),
                lambda body: (body["current"] or {}).get("booted_version") == "3.2",
                what=f"{station.station_id} on the new version",
            )
            assert found["current"]["new_version_booted"] is True
            assert [s["status"] for s in found["current"]["statuses"]][-1] == "Installed"
    finally:
        boot, steady = await run
    assert boot.boots_accepted == 2
    assert steady.timeouts == 0
