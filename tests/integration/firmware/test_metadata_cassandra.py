"""The metadata contracts (kit/contracts/artifact_metadata.py) against Cassandra: images, uploads, and the one-time
token claims by lightweight transactions (csms_firmware, schema.cql)."""

from __future__ import annotations

import pytest

from csms_firmware.artifacts.cassandra import CassandraImageCatalog, CassandraUploadClaims, CassandraUploadedFiles
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.artifact_metadata import ImageCatalogContract, UploadClaimsContract, UploadedFilesContract, an_id
from kit.waiting import eventually

pytestmark = pytest.mark.integration


class TestCassandraImageCatalog(ImageCatalogContract):
    @pytest.fixture
    def catalog(self, firmware_session: CassandraSession) -> CassandraImageCatalog:
        return CassandraImageCatalog(firmware_session)


class TestCassandraUploadedFiles(UploadedFilesContract):
    @pytest.fixture
    def files(self, firmware_session: CassandraSession) -> CassandraUploadedFiles:
        return CassandraUploadedFiles(firmware_session)


class TestCassandraUploadClaims(UploadClaimsContract):
    @pytest.fixture
    def claims(self, firmware_session: CassandraSession) -> CassandraUploadClaims:
        return CassandraUploadClaims(firmware_session)


async def test_a_claim_of_a_dead_attempt_frees_itself(firmware_session: CassandraSession) -> None:
    claims = CassandraUploadClaims(firmware_session)
    upload = an_id()
    assert await claims.claim(upload, "died", 1)

    async def taken_again() -> bool:
        return await claims.claim(upload, "retry", 600)

    assert await eventually(taken_again, bool, timeout_s=10, what="the expired claim to be taken again")
