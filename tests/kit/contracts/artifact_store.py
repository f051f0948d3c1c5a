"""The `ArtifactStore` contract (csms_firmware.artifacts.store), run against `LocalDirectoryStore` (unit, a temporary
directory) and `S3Store` (integration, a real S3-compatible server). A subclass provides the `store` fixture and
`big_size`, an object size that crosses the store's internal boundaries (chunks, multipart parts); keys carry a
run id of their own so a suite can share a bucket."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC

import pytest

from csms_firmware.artifacts.store import ArtifactNotFound, ArtifactStore, InvalidKey, Metered, TooLarge


def a_key(name: str = "file.bin") -> str:
    return f"contract/{uuid.uuid4().hex[:12]}/{name}"


async def chunks_of(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(store: ArtifactStore, key: str, first: int = 0, last: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in store.get(key, first, last)])


class Broken(Exception):
    pass


async def failing_after(data: bytes) -> AsyncIterator[bytes]:
    yield data
    raise Broken


class ArtifactStoreContract:
    async def test_an_object_is_stored_read_and_described(self, store: ArtifactStore) -> None:
        key, data = a_key(), os.urandom(1000)
        info = await store.put(key, chunks_of(data, 300))
        assert (info.key, info.size) == (key, 1000)
        assert info.etag.startswith('"') and info.etag.endswith('"')
        assert await store.stat(key) == info
        assert info.modified_at.tzinfo is UTC  # what HTTP dates (Last-Modified) are made from
        assert await read(store, key) == data

    async def test_byte_ranges_are_inclusive_and_clipped_to_the_object(self, store: ArtifactStore) -> None:
        key, data = a_key(), os.urandom(1000)
        await store.put(key, chunks_of(data))
        assert await read(store, key, 0, 0) == data[:1]
        assert await read(store, key, 10, 19) == data[10:20]
        assert await read(store, key, 990) == data[990:]
        assert await read(store, key, 999, 999) == data[999:]

    async def test_a_big_object_crosses_every_boundary(self, store: ArtifactStore, big_size: int) -> None:
        key, data = a_key(), os.urandom(big_size)
        info = await store.put(key, chunks_of(data, 1_000_003))
        assert info.size == big_size
        assert await read(store, key) == data
        middle = big_size // 2
        assert await read(store, key, middle - 300_000, middle + 300_000) == data[middle - 300_000 : middle + 300_001]

    async def test_a_put_replaces_the_object_and_its_entity_tag(self, store: ArtifactStore) -> None:
        key = a_key()
        first = await store.put(key, chunks_of(b"one"))
        second = await store.put(key, chunks_of(b"second version"))
        assert await read(store, key) == b"second version"
        assert second.size == 14 and second.etag != first.etag

    async def test_an_empty_object(self, store: ArtifactStore) -> None:
        key = a_key()
        info = await store.put(key, chunks_of(b""))
        assert info.size == 0
        assert await read(store, key) == b""

    async def test_a_failed_stream_leaves_nothing_new(self, store: ArtifactStore, big_size: int) -> None:
        key, old = a_key(), b"old content"
        await store.put(key, chunks_of(old))
        with pytest.raises(Broken):
            await store.put(key, failing_after(os.urandom(big_size)))
        assert await read(store, key) == old
        fresh = a_key()
        with pytest.raises(TooLarge):
            await store.put(fresh, Metered(chunks_of(os.urandom(5000), 1000), 4000))
        assert await store.stat(fresh) is None

    async def test_a_missing_object(self, store: ArtifactStore) -> None:
        key = a_key()
        assert await store.stat(key) is None
        with pytest.raises(ArtifactNotFound):
            await read(store, key)
        await store.delete(key)

    async def test_delete_removes_the_object(self, store: ArtifactStore) -> None:
        key = a_key()
        await store.put(key, chunks_of(b"x"))
        await store.delete(key)
        assert await store.stat(key) is None
        with pytest.raises(ArtifactNotFound):
            await read(store, key)

    @pytest.mark.parametrize("key", ["../escape", "/absolute", "a//b", "a/../b", ".hidden", "a/b c", "", "a/" * 9])
    async def test_unsafe_keys_are_refused(self, store: ArtifactStore, key: str) -> None:
        with pytest.raises(InvalidKey):
            await store.put(key, chunks_of(b"x"))
        with pytest.raises(InvalidKey):
            await store.stat(key)
