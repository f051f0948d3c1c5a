"""One upload token, two artifact server instances sharing Cassandra's `upload_claims` (and a store): the same
upload URL presented to both at once stores one file; afterwards both refuse it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from csms_firmware.artifacts.cassandra import CassandraUploadClaims
from csms_firmware.artifacts.http import ArtifactHttpServer
from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_firmware.artifacts.service import Artifacts
from csms_firmware.artifacts.signing import Signer
from csms_kernel.infra.cassandra import CassandraSession
from kit.builders.firmware_artifacts import SECRET, Clock
from kit.fakes.firmware_artifacts import InMemoryImageCatalog, InMemoryUploadedFiles

pytestmark = pytest.mark.integration


def an_instance(store: LocalDirectoryStore, session: CassandraSession, uploads: InMemoryUploadedFiles) -> Artifacts:
    return Artifacts(
        store,
        InMemoryImageCatalog(),
        uploads,
        CassandraUploadClaims(session),
        Signer(SECRET),
        Clock(),
        base_url="http://unused",
        download_ttl_s=60,
        upload_ttl_s=600,
        upload_max_bytes=1_000_000,
        image_max_bytes=1_000_000,
        upload_hold_s=300,
    )


@contextlib.asynccontextmanager
async def serving(artifacts: Artifacts) -> AsyncIterator[str]:
    server = ArtifactHttpServer(artifacts, "127.0.0.1", 0, None)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


async def test_one_token_one_file_across_instances(firmware_session: CassandraSession, tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "store")
    uploads = InMemoryUploadedFiles()
    one, two = (an_instance(store, firmware_session, uploads) for _ in range(2))
    slot = one.upload_url("CS-1")
    token_path = slot.url.removeprefix("http://unused")
    async with serving(one) as url_one, serving(two) as url_two, httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(
            *(client.put(f"{base}{token_path}", content=b"L" * 200_000) for base in (url_one, url_two, url_one))
        )
        assert sorted(a.status_code for a in answers) == [201, 403, 403]
        again = await asyncio.gather(*(client.put(f"{base}{token_path}", content=b"x") for base in (url_one, url_two)))
    assert [a.status_code for a in again] == [403, 403]
    assert list(uploads.files) == [("CS-1", slot.upload_id)]
