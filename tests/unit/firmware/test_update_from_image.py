"""Updates from an uploaded image: the station's own signed URL (checksum in the fragment), the image's signature
and certificate, the image id claimed with the request key so a repeat sends the first URL (never a second
UpdateFirmware) and another image under the key is refused; unknown images NOT_FOUND."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest

from csms.firmware.v1 import firmware_pb2
from csms_firmware.artifacts.model import FirmwareImage
from csms_kernel.infra.envelopes import timestamp
from kit.builders.firmware import NOW, STATION
from kit.fakes.grpc_context import CONTEXT, Aborted
from unit.firmware.test_grpc_api import Api

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"


def image(image_id: str = "img-1", signature: str = "c2ln", certificate: str = CERT) -> FirmwareImage:
    return FirmwareImage(
        image_id=image_id,
        version="2.0",
        vendor="ACME",
        models=(),
        filename="fw.bin",
        content_key=f"images/{image_id}/fw.bin",
        sha256="ab" * 32,
        size=10,
        uploaded_at=NOW,
        signature=signature,
        signing_certificate=certificate,
    )


async def api_with(*images: FirmwareImage) -> Api:
    api = Api()
    for one in images:
        await api.artifacts.images.add(one)
    return api


def by_image(image_id: str = "img-1", key: str = "k", **fields: object) -> firmware_pb2.RequestFirmwareUpdateRequest:
    return firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, image_id=image_id, request_key=key, **fields)


async def test_an_image_is_sent_as_the_stations_signed_url_with_its_checksum_and_signature() -> None:
    api = await api_with(image())
    response = await api.servicer.RequestFirmwareUpdate(by_image(), CONTEXT)
    [sent] = api.commands.sent
    assert sent.command == "update-firmware"
    assert set(sent.params) == {"location", "retrieve_date_time", "signature", "signing_certificate"}
    assert (sent.params["signature"], sent.params["signing_certificate"]) == ("c2ln", CERT)
    url = urlsplit(sent.params["location"])
    assert (url.scheme, url.netloc, url.path) == ("http", "artifacts.test", "/artifacts/images/img-1/fw.bin")
    assert url.fragment == "sha256=" + "ab" * 32
    query = parse_qs(url.query)
    assert query["station"] == [STATION]
    assert int(query["expires"][0]) == int((NOW + timedelta(hours=1)).timestamp())
    grant = api.artifacts.artifacts.check_download(
        "images/img-1/fw.bin", query["expires"][0], query["station"][0], query["signature"][0]
    )
    assert grant.station_id == STATION
    assert response.request.image_id == "img-1"
    assert json.loads(response.request.params_json)["location"] == sent.params["location"]
    assert api.keys.claimed[(STATION, "k")][1]["image_id"] == "img-1"


async def test_a_repeat_later_sends_nothing_again_though_a_new_url_would_differ() -> None:
    api = await api_with(image())
    first = await api.servicer.RequestFirmwareUpdate(by_image(), CONTEXT)
    api.now = NOW + timedelta(minutes=5)
    again = await api.servicer.RequestFirmwareUpdate(by_image(), CONTEXT)
    assert first == again
    assert len(api.commands.sent) == 1
    assert api.events.events[0] == api.events.events[1]


async def test_another_image_or_a_location_under_the_same_key_is_already_exists() -> None:
    api = await api_with(image(), image("img-2"))
    await api.servicer.RequestFirmwareUpdate(by_image(), CONTEXT)
    for other in [
        by_image("img-2"),
        firmware_pb2.RequestFirmwareUpdateRequest(station_id=STATION, location="ftp://fw/x", request_key="k"),
    ]:
        with pytest.raises(Aborted) as aborted:
            await api.servicer.RequestFirmwareUpdate(other, CONTEXT)
        assert aborted.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert len(api.commands.sent) == 1


async def test_the_requests_own_signature_wins_and_an_unsigned_image_sends_none() -> None:
    api = await api_with(image(), image("plain", signature="", certificate=""))
    await api.servicer.RequestFirmwareUpdate(by_image(signature="b3du", key="a"), CONTEXT)
    await api.servicer.RequestFirmwareUpdate(by_image("plain", key="b"), CONTEXT)
    signed, plain = api.commands.sent
    assert (signed.params["signature"], signed.params["signing_certificate"]) == ("b3du", CERT)
    assert "signature" not in plain.params and "signing_certificate" not in plain.params


async def test_a_queued_update_has_a_url_valid_past_the_commands_expiry() -> None:
    api = await api_with(image())
    expires = NOW + timedelta(hours=5)
    await api.servicer.RequestFirmwareUpdate(by_image(queue_if_offline=True, expires_at=timestamp(expires)), CONTEXT)
    [sent] = api.commands.sent
    query = parse_qs(urlsplit(sent.params["location"]).query)
    assert int(query["expires"][0]) == int((expires + timedelta(hours=1)).timestamp())
    assert (sent.queue_if_offline, sent.expires_at) == (True, expires)


async def test_an_unknown_image_is_not_found_and_image_with_location_is_invalid() -> None:
    api = await api_with(image())
    with pytest.raises(Aborted) as aborted:
        await api.servicer.RequestFirmwareUpdate(by_image("nope"), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.NOT_FOUND, "no firmware image 'nope'")
    with pytest.raises(Aborted) as aborted:
        await api.servicer.RequestFirmwareUpdate(by_image(location="ftp://fw/x"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert api.commands.sent == [] and api.events.events == []


async def test_update_from_image_is_the_same_request_for_campaigns() -> None:
    api = await api_with(image())
    made = await api.requests.update_from_image(
        STATION, "img-1", "campaign:c1:CS-1:1", queue_if_offline=True, expires_at=NOW + timedelta(hours=2)
    )
    again = await api.requests.update_from_image(
        STATION, "img-1", "campaign:c1:CS-1:1", queue_if_offline=True, expires_at=NOW + timedelta(hours=2)
    )
    assert made == again and made.image_id == "img-1"
    [sent] = api.commands.sent
    assert (sent.idempotency_key, sent.queue_if_offline) == ("firmware:campaign:c1:CS-1:1", True)


async def test_an_image_for_another_vendor_or_model_is_refused_naming_both_unless_forced() -> None:
    other_vendor = FirmwareImage(**{**image("img-v").__dict__, "vendor": "Other"})
    other_model = FirmwareImage(**{**image("img-m").__dict__, "models": ("DC-50", "DC-75")})
    fits = FirmwareImage(**{**image("img-ok").__dict__, "vendor": " acme ", "models": ("ac-22",)})
    api = await api_with(other_vendor, other_model, fits)
    for refused, named in (("img-v", "'Other'"), ("img-m", "'DC-50' or 'DC-75'")):
        with pytest.raises(Aborted) as caught:
            await api.servicer.RequestFirmwareUpdate(by_image(refused, key=refused), CONTEXT)
        assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
        assert named in caught.value.details and "'AC-22'" in caught.value.details, caught.value.details
        assert "force" in caught.value.details
    assert api.commands.sent == [] and api.events.events == []
    await api.servicer.RequestFirmwareUpdate(by_image("img-ok", key="ok"), CONTEXT)
    await api.servicer.RequestFirmwareUpdate(by_image("img-m", key="forced", force=True), CONTEXT)
    assert [e.requested.image_id for e in api.events.events] == ["img-ok", "img-m"]
    assert len(api.commands.sent) == 2


async def test_an_image_for_a_station_that_never_booted_is_refused_unless_forced() -> None:
    api = await api_with(image())
    api.stations.known = []
    with pytest.raises(Aborted) as caught:
        await api.servicer.RequestFirmwareUpdate(by_image(), CONTEXT)
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "has not booted yet" in caught.value.details
    await api.servicer.RequestFirmwareUpdate(by_image(key="forced", force=True), CONTEXT)
    assert len(api.commands.sent) == 1
