"""The artifacts use cases over a local store in a temporary directory and the in-memory fakes: image checksums and
limits, signed download URLs, one-time upload tokens."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_firmware.artifacts.service import AlreadyUsed, ChecksumMismatch, InvalidInput, safe_name
from csms_firmware.artifacts.signing import BadSignature, Expired
from csms_firmware.artifacts.store import TooLarge
from kit.builders.firmware_artifacts import ArtifactsKit, build_artifacts_kit, files_below
from kit.contracts.artifact_store import Broken, chunks_of, failing_after, read

IMAGE = b"firmware image bytes" * 1000


@pytest.fixture
def kit(tmp_path: Path) -> ArtifactsKit:
    return build_artifacts_kit(LocalDirectoryStore(tmp_path))


async def test_an_image_is_stored_hashed_and_recorded(kit: ArtifactsKit) -> None:
    digest = hashlib.sha256(IMAGE).hexdigest()
    image = await kit.artifacts.add_image(
        chunks_of(IMAGE), version="2.1", vendor="ACME", models=("AC-22", " "), filename="../fw v2.bin", sha256=digest
    )
    assert (image.version, image.vendor, image.models, image.filename) == ("2.1", "ACME", ("AC-22",), "fw_v2.bin")
    assert (image.sha256, image.size, image.uploaded_at) == (digest, len(IMAGE), kit.clock.now)
    assert image.content_key == f"images/{image.image_id}/fw_v2.bin"
    assert await kit.images.get(image.image_id) == image
    assert await read(kit.artifacts.store, image.content_key) == IMAGE


async def test_an_image_with_the_wrong_checksum_is_not_kept(kit: ArtifactsKit) -> None:
    with pytest.raises(ChecksumMismatch):
        await kit.artifacts.add_image(chunks_of(IMAGE), version="2.1", vendor="ACME", sha256="0" * 64)
    assert kit.images.images == {}


async def test_an_image_over_the_limit_is_refused(tmp_path: Path) -> None:
    kit = build_artifacts_kit(LocalDirectoryStore(tmp_path / "s"), image_max_bytes=1000)
    with pytest.raises(TooLarge):
        await kit.artifacts.add_image(chunks_of(IMAGE), version="2.1", vendor="ACME")
    assert kit.images.images == {}
    assert files_below(tmp_path) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"version": "", "vendor": "ACME"},
        {"version": "1", "vendor": " "},
        {"version": "1", "vendor": "ACME", "sha256": "xyz"},
        {"version": "1", "vendor": "ACME", "signing_certificate": "not a pem"},
    ],
)
async def test_bad_image_metadata_is_refused_before_reading(kit: ArtifactsKit, fields: dict[str, str]) -> None:
    with pytest.raises(InvalidInput):
        await kit.artifacts.add_image(failing_after(b"never read"), **fields)


async def test_a_download_url_names_the_key_and_verifies(kit: ArtifactsKit) -> None:
    signed = kit.artifacts.download_url("images/abc/fw.bin", station_id="CS 1", ttl_s=60)
    parts = urlsplit(signed.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "artifacts.test", "/artifacts/images/abc/fw.bin")
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    grant = kit.artifacts.check_download(
        unquote(parts.path[len("/artifacts/") :]), q["expires"], q["station"], q["signature"]
    )
    assert grant.station_id == "CS 1"
    kit.clock.advance(60)
    with pytest.raises(Expired):
        kit.artifacts.check_download("images/abc/fw.bin", q["expires"], q["station"], q["signature"])


async def test_an_upload_token_is_used_once(kit: ArtifactsKit) -> None:
    slot = kit.artifacts.upload_url("CS-1", max_bytes=100)
    token = slot.url.rsplit("/", 1)[1]
    grant = kit.artifacts.check_upload(token)
    uploaded = await kit.artifacts.receive_upload(grant, chunks_of(b"log"), filename="diag.log", content_type="")
    assert (uploaded.station_id, uploaded.upload_id, uploaded.size) == ("CS-1", slot.upload_id, 3)
    assert uploaded.content_key == f"uploads/CS-1/{slot.upload_id}/diag.log"
    assert await kit.uploads.get("CS-1", slot.upload_id) == uploaded
    with pytest.raises(AlreadyUsed):
        await kit.artifacts.receive_upload(grant, chunks_of(b"again"), filename="x", content_type="")
    assert await read(kit.artifacts.store, uploaded.content_key) == b"log"


async def test_a_failed_upload_frees_its_token(kit: ArtifactsKit) -> None:
    grant = kit.artifacts.check_upload(kit.artifacts.upload_url("CS-1", max_bytes=100).url.rsplit("/", 1)[1])
    with pytest.raises(TooLarge):
        await kit.artifacts.receive_upload(grant, chunks_of(b"x" * 101), filename="a", content_type="")
    with pytest.raises(Broken):
        await kit.artifacts.receive_upload(grant, failing_after(b"x"), filename="a", content_type="")
    assert kit.uploads.files == {}
    uploaded = await kit.artifacts.receive_upload(grant, chunks_of(b"x" * 100), filename="a", content_type="")
    assert uploaded.size == 100


async def test_upload_tokens_expire_and_need_a_station(kit: ArtifactsKit) -> None:
    token = kit.artifacts.upload_url("CS-1").url.rsplit("/", 1)[1]
    kit.clock.advance(600)
    with pytest.raises(Expired):
        kit.artifacts.check_upload(token)
    with pytest.raises(BadSignature):
        kit.artifacts.check_upload(token[:-1])
    with pytest.raises(InvalidInput):
        kit.artifacts.upload_url("")


@pytest.mark.parametrize(
    ("name", "expected"), [("diag.zip", "diag.zip"), ("C:\\logs\\a b.txt", "a_b.txt"), ("..", "d"), ("", "d")]
)
def test_safe_names(name: str, expected: str) -> None:
    assert safe_name(name, "d") == expected
