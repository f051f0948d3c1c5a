"""The metadata contracts against the in-memory fakes, plus a claim's hold running out by the clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kit.contracts.artifact_metadata import T0, ImageCatalogContract, UploadClaimsContract, UploadedFilesContract
from kit.fakes.firmware_artifacts import InMemoryImageCatalog, InMemoryUploadClaims, InMemoryUploadedFiles


class TestInMemoryImageCatalog(ImageCatalogContract):
    @pytest.fixture
    def catalog(self) -> InMemoryImageCatalog:
        return InMemoryImageCatalog()


class TestInMemoryUploadedFiles(UploadedFilesContract):
    @pytest.fixture
    def files(self) -> InMemoryUploadedFiles:
        return InMemoryUploadedFiles()


class TestInMemoryUploadClaims(UploadClaimsContract):
    @pytest.fixture
    def claims(self) -> InMemoryUploadClaims:
        return InMemoryUploadClaims(lambda: T0)


async def test_a_hold_ends_by_itself() -> None:
    now = [T0]
    claims = InMemoryUploadClaims(lambda: now[0])
    assert await claims.claim("u", "a1", 60)
    now[0] += timedelta(seconds=61)
    assert await claims.claim("u", "a2", 60)
