"""Firmware image uploads through the operator API on a real socket (uvicorn): a chunked body (no Content-Length)
is streamed into the store and hashed, and one over the limit is refused while streaming, leaving nothing."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from csms_api.api.artifacts import artifacts_part
from csms_api.domain.keys import Scope
from csms_firmware.artifacts.local import LocalDirectoryStore
from kit.builders.api import Api
from kit.builders.firmware_artifacts import build_artifacts_kit, files_below

pytestmark = pytest.mark.integration
LIMIT = 3 * 1024 * 1024


async def chunked(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_chunked_image_uploads_stream_and_stop_at_the_limit(tmp_path: Path) -> None:
    kit = build_artifacts_kit(LocalDirectoryStore(tmp_path / "store"), image_max_bytes=LIMIT)
    api = Api(parts=[artifacts_part(kit.artifacts)])
    key = await api.key(Scope.ADMIN)
    await api.server.start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=api.server.url, headers=headers, trust_env=False, timeout=30) as client:
            image = os.urandom(LIMIT)
            stored = await client.post(
                "/api/v1/firmware/images", params={"version": "1", "vendor": "ACME"}, content=chunked(image)
            )
            refused = await client.post(
                "/api/v1/firmware/images", params={"version": "2", "vendor": "ACME"}, content=chunked(image + b"!")
            )
    finally:
        await api.server.stop()
    assert stored.status_code == 201, stored.text
    assert (stored.json()["size"], stored.json()["sha256"]) == (LIMIT, hashlib.sha256(image).hexdigest())
    assert refused.status_code == 413
    assert refused.json()["type"] == "urn:csms:problem:too-large"
    assert [i.version for i in kit.images.images.values()] == ["1"]
    assert files_below(tmp_path / "store") == [f"images/{stored.json()['image_id']}/firmware.bin"]
