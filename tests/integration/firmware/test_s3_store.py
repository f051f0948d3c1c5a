"""The store contract (kit/contracts/artifact_store.py) against `S3Store` on a real S3-compatible server
(kit/s3_server.py), with 5 MiB parts so a big object goes through a multipart upload (and its abort)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms_firmware.artifacts.s3 import S3Store
from kit.contracts.artifact_store import ArtifactStoreContract, chunks_of, read
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
