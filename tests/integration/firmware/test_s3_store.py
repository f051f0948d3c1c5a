"""The store contract (kit/contracts/artifact_store.py) against `S3Store` on a real S3-compatible server
(kit/s3_server.py), with 5 MiB parts so a big object goes through a multipart upload (and its abort); and the
artifact server as `build_artifacts` wires it on the S3 store."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from csms_firmware.artifacts.bootstrap import build_artifacts
from csms_firmware.artifacts.s3 import S3Store
from csms_firmware.artifacts.settings import ArtifactSettings
from csms_kernel.infra.cassandra import CassandraSession
from kit.builders.firmware_artifacts import Clock
from kit.contracts.artifact_store import ArtifactStoreContract, chunks_of, read
from kit.fakes.firmware_artifacts import InMemoryImageCatalog, InMemoryUploadClaims, InMemoryUploadedFiles
from kit.s3_server import S3Endpoint

pytestmark = pytest.mark.integration
PART = 5 * 1024 * 1024


@pytest.fixture(scope="module")
async def bucket_store(s3_endpoint: S3Endpoint) -> AsyncIterator[S3Store]:
    store = S3Store(
        endpoint_url=s3_endpoint.url,
        bucket=f"contract-{uuid.uuid4().hex[:12]}",
        region="us-east-1",
        access_key_id=s3_endpoint.access_key_id,
        secret_access_key=s3_endpoint.secret_access_key,
        prefix="csms",
        part_bytes=PART,
    )
    await store.start()
    await store.ensure_bucket()
    await store.ensure_bucket()  # idempotent
    yield store
    await store.stop()


class TestS3Store(ArtifactStoreContract):
    @pytest.fixture
    def store(self, bucket_store: S3Store) -> S3Store:
        return bucket_store

    @pytest.fixture
    def big_size(self) -> int:
        return 2 * PART + 12345


async def test_objects_live_under_the_prefix(bucket_store: S3Store) -> None:
    await bucket_store.put("images/p/fw.bin", chunks_of(b"prefixed"))
    listed = await bucket_store.client.list_objects_v2(Bucket=bucket_store.bucket, Prefix="csms/images/p/")
    assert [o["Key"] for o in listed.get("Contents", [])] == ["csms/images/p/fw.bin"]
    assert await read(bucket_store, "images/p/fw.bin") == b"prefixed"


async def test_the_artifact_server_over_the_s3_store(s3_endpoint: S3Endpoint) -> None:
    settings = ArtifactSettings(
        http_listen="127.0.0.1:0",
        store="s3",
        s3_endpoint_url=s3_endpoint.url,
        s3_bucket=f"built-{uuid.uuid4().hex[:12]}",
        s3_access_key_id=s3_endpoint.access_key_id,
        s3_secret_access_key=SecretStr(s3_endpoint.secret_access_key),
        s3_create_bucket=True,
    )
    clock = Clock()
    built = build_artifacts(
        settings,
        CassandraSession(["127.0.0.1"], 9042, "datacenter1", None),  # never started: the fakes below stand in
        images=InMemoryImageCatalog(),
        uploads=InMemoryUploadedFiles(),
        claims=InMemoryUploadClaims(clock),
        clock=clock,
    )
    async with contextlib.AsyncExitStack() as stack:
        for resource in built.resources:
            await resource.start()
            stack.push_async_callback(resource.stop)
        data = os.urandom(300_000)
        image = await built.artifacts.add_image(chunks_of(data), version="1", vendor="ACME")
        url = built.artifacts.download_url(image.content_key).url
        slot = built.artifacts.upload_url("CS-1")
        async with httpx.AsyncClient() as client:
            part = await client.get(url, headers={"Range": "bytes=1000-1999"})
            uploaded = await client.put(slot.url, content=b"a log")
    assert (part.status_code, part.content) == (206, data[1000:2000])
    assert uploaded.status_code == 201
