"""`/api/v1/firmware/images` and a station's upload URLs and logs, over the artifacts use cases on a local store in
a temporary directory and the in-memory metadata fakes (csms_api.api.artifacts)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from csms_api.api.artifacts import artifacts_part
from csms_api.domain.keys import Scope
from csms_firmware.artifacts.local import LocalDirectoryStore
from kit.builders.api import Api
from kit.builders.firmware_artifacts import ArtifactsKit, build_artifacts_kit, files_below
from kit.contracts.artifact_store import chunks_of

IMAGE = b"\x7fELF firmware" * 5000
CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"


@pytest.fixture
def kit(tmp_path: Path) -> ArtifactsKit:
    return build_artifacts_kit(LocalDirectoryStore(tmp_path / "store"), image_max_bytes=100_000)


@pytest.fixture
def api(kit: ArtifactsKit) -> Api:
    return Api(parts=[artifacts_part(kit.artifacts)])


async def test_an_image_is_uploaded_listed_and_signed_for_a_station(api: Api, kit: ArtifactsKit) -> None:
    digest = hashlib.sha256(IMAGE).hexdigest()
    params = {
        "version": "2.4.1",
        "vendor": "ACME",
        "model": ["AC-22", "AC-11"],
        "filename": "acme-2.4.1.bin",
        "sha256": digest,
        "signature": "c2lnbmF0dXJl",
        "signing_certificate": CERT,
    }
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/firmware/images", params=params, content=IMAGE)
        assert answer.status_code == 201, answer.text
        image = answer.json()
        assert {k: image[k] for k in ("version", "vendor", "models", "filename", "size", "sha256")} == {
            "version": "2.4.1",
            "vendor": "ACME",
            "models": ["AC-22", "AC-11"],
            "filename": "acme-2.4.1.bin",
            "size": len(IMAGE),
            "sha256": digest,
        }
        assert (image["signature"], image["signing_certificate"]) == ("c2lnbmF0dXJl", CERT)
        listed = await client.get("/api/v1/firmware/images")
        assert [i["image_id"] for i in listed.json()["items"]] == [image["image_id"]]
        one = await client.get(f"/api/v1/firmware/images/{image['image_id']}")
        assert one.json() == image
        signed = await client.post(
            f"/api/v1/firmware/images/{image['image_id']}/download-url", json={"station_id": "CS-1", "ttl_s": 60}
        )
    assert signed.status_code == 200
    url = urlsplit(signed.json()["url"])
    assert url.path == f"/artifacts/images/{image['image_id']}/acme-2.4.1.bin"
    assert "station=CS-1" in url.query


async def test_bad_images_are_refused(api: Api, kit: ArtifactsKit, tmp_path: Path) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        mismatch = await client.post(
            "/api/v1/firmware/images", params={"version": "1", "vendor": "A", "sha256": "0" * 64}, content=IMAGE
        )
        too_big = await client.post(
            "/api/v1/firmware/images", params={"version": "1", "vendor": "A"}, content=IMAGE * 2
        )
        missing = await client.post("/api/v1/firmware/images", params={"vendor": "A"}, content=IMAGE)
        unknown = await client.get("/api/v1/firmware/images/nope")
        no_url = await client.post("/api/v1/firmware/images/nope/download-url", json={})
    assert (mismatch.status_code, mismatch.json()["type"]) == (422, "urn:csms:problem:checksum-mismatch")
    assert (too_big.status_code, too_big.json()["type"]) == (413, "urn:csms:problem:too-large")
    assert missing.status_code == 422
    assert (unknown.status_code, no_url.status_code) == (404, 404)
    assert kit.images.images == {}
    assert files_below(tmp_path / "store") == []


async def test_scopes(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        upload = await client.post("/api/v1/firmware/images", params={"version": "1", "vendor": "A"}, content=b"x")
    async with await api.as_(Scope.READ) as client:
        url = await client.post("/api/v1/stations/CS-1/upload-urls", json={})
    assert (upload.status_code, url.status_code) == (403, 403)


async def test_a_station_upload_is_listed_and_its_content_retrieved(api: Api, kit: ArtifactsKit) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        slot = await client.post("/api/v1/stations/CS-1/upload-urls", json={"max_bytes": 1000, "ttl_s": 300})
    assert slot.status_code == 201
    assert slot.json()["max_bytes"] == 1000
    grant = kit.artifacts.check_upload(slot.json()["url"].rsplit("/", 1)[1])
    await kit.artifacts.receive_upload(
        grant, chunks_of(b"log line\n" * 10), filename="diag.log", content_type="text/plain"
    )
    upload_id = slot.json()["upload_id"]
    async with await api.as_(Scope.READ) as client:
        listed = await client.get("/api/v1/stations/CS-1/uploads")
        one = await client.get(f"/api/v1/stations/CS-1/uploads/{upload_id}")
        content = await client.get(f"/api/v1/stations/CS-1/uploads/{upload_id}/content")
        other = await client.get(f"/api/v1/stations/CS-2/uploads/{upload_id}/content")
    assert [u["upload_id"] for u in listed.json()["items"]] == [upload_id]
    assert (one.json()["filename"], one.json()["size"]) == ("diag.log", 90)
    assert content.status_code == 200
    assert content.content == b"log line\n" * 10
    assert content.headers["content-disposition"] == 'attachment; filename="diag.log"'
    assert content.headers["content-type"].startswith("text/plain")
    assert other.status_code == 404
