"""Contracts of the artifacts' metadata ports (csms_firmware.artifacts.model): `ImageCatalog`, `UploadedFiles` and
`UploadClaims`, run against the in-memory fakes (unit) and Cassandra (integration). Subclasses provide the
`catalog`, `files` or `claims` fixture; ids are unique per test, so a real table may be shared."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms_firmware.artifacts.model import FirmwareImage, ImageCatalog, UploadClaims, UploadedFile, UploadedFiles

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def an_id() -> str:
    return uuid.uuid4().hex


def an_image(image_id: str, at: datetime, **fields: object) -> FirmwareImage:
    values: dict[str, object] = {
        "image_id": image_id,
        "version": "2.0.1",
        "vendor": "ACME",
        "models": ("AC-22", "DC-50"),
        "filename": "fw.bin",
        "content_key": f"images/{image_id}/fw.bin",
        "sha256": "ab" * 32,
        "size": 1234,
        "uploaded_at": at,
    }
    values.update(fields)
    return FirmwareImage(**values)  # type: ignore[arg-type]


class ImageCatalogContract:
    async def test_images_are_kept_whole_and_listed_newest_first(self, catalog: ImageCatalog) -> None:
        old, new = an_id(), an_id()
        signed = an_image(
            new, T0 + timedelta(hours=1), signature="c2ln", signing_certificate="-----BEGIN CERTIFICATE-----\nx"
        )
        await catalog.add(an_image(old, T0))
        await catalog.add(signed)
        assert await catalog.get(new) == signed
        assert await catalog.get(an_id()) is None
        listed = [image.image_id for image in await catalog.all() if image.image_id in (old, new)]
        assert listed == [new, old]


class UploadedFilesContract:
    async def test_files_are_kept_per_station_newest_first(self, files: UploadedFiles) -> None:
        station = f"CS-{an_id()[:8]}"
        first = UploadedFile(station, an_id(), "diag.zip", "application/zip", "uploads/x/1/diag.zip", "cd" * 32, 5, T0)
        second = UploadedFile(station, an_id(), "log.txt", "text/plain", "uploads/x/2/log.txt", "ef" * 32, 7, T0)
        second = UploadedFile(**{**second.__dict__, "uploaded_at": T0 + timedelta(minutes=1)})
        await files.add(first)
        await files.add(second)
        assert await files.get(station, first.upload_id) == first
        assert await files.get("CS-other", first.upload_id) is None
        assert await files.of_station(station) == [second, first]


class UploadClaimsContract:
    async def test_a_token_is_claimed_by_one_attempt_and_used_once(self, claims: UploadClaims) -> None:
        upload = an_id()
        assert await claims.claim(upload, "a1", 600)
        assert not await claims.claim(upload, "a2", 600)
        await claims.finish(upload, "a1", 600)
        assert not await claims.claim(upload, "a3", 600)

    async def test_a_released_claim_may_be_taken_again(self, claims: UploadClaims) -> None:
        upload = an_id()
        assert await claims.claim(upload, "a1", 600)
        await claims.release(upload, "other")  # not its claim: nothing happens
        assert not await claims.claim(upload, "a2", 600)
        await claims.release(upload, "a1")
        assert await claims.claim(upload, "a2", 600)

    async def test_finishing_a_lost_claim_fails(self, claims: UploadClaims) -> None:
        upload = an_id()
        assert await claims.claim(upload, "a1", 600)
        await claims.release(upload, "a1")
        with pytest.raises(RuntimeError):
            await claims.finish(upload, "a1", 600)
