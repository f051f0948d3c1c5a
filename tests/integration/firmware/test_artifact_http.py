"""The station-facing artifact server over a real loopback socket (aiohttp, httpx as the station), on a local
store in a temporary directory with the in-memory metadata fakes: ranges and resumes, HEAD, signatures and expiry,
uploads (raw and multipart) with their size limit and one-time tokens, and bad input answered, never crashing."""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from csms_firmware.artifacts.http import ArtifactHttpServer, server_tls
from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_kernel.pki.dev import DevPki
from kit.builders.firmware_artifacts import ArtifactsKit, build_artifacts_kit, files_below
from kit.contracts.artifact_store import chunks_of, read

pytestmark = pytest.mark.integration
IMAGE = os.urandom(700_000)


@pytest.fixture
async def kit(tmp_path: Path) -> AsyncIterator[ArtifactsKit]:
    kit = build_artifacts_kit(LocalDirectoryStore(tmp_path / "store"), upload_max_bytes=50_000)
    server = ArtifactHttpServer(kit.artifacts, "127.0.0.1", 0, None)
    await server.start()
    try:
        yield kit
    finally:
        await server.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def image_url(kit: ArtifactsKit, station: str = "CS-1") -> str:
    image = await kit.artifacts.add_image(chunks_of(IMAGE), version="1.2", vendor="ACME", filename="fw.bin")
    return kit.artifacts.download_url(image.content_key, station_id=station).url


async def test_a_download_and_its_headers(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    url = await image_url(kit)
    answer = await client.get(url)
    assert answer.status_code == 200
    assert answer.content == IMAGE
    assert answer.headers["content-length"] == str(len(IMAGE))
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["etag"].startswith('"')
    assert "last-modified" in answer.headers
    head = await client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(IMAGE))
    assert head.headers["etag"] == answer.headers["etag"]


async def test_a_resumed_download_gets_the_rest(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    url = await image_url(kit)
    etag = (await client.head(url)).headers["etag"]
    first = await client.get(url, headers={"Range": "bytes=0-99999"})
    rest = await client.get(url, headers={"Range": "bytes=100000-", "If-Range": etag})
    assert (first.status_code, rest.status_code) == (206, 206)
    assert first.headers["content-range"] == f"bytes 0-99999/{len(IMAGE)}"
    assert rest.headers["content-range"] == f"bytes 100000-{len(IMAGE) - 1}/{len(IMAGE)}"
    assert rest.headers["content-length"] == str(len(IMAGE) - 100000)
    assert first.content + rest.content == IMAGE
    suffix = await client.get(url, headers={"Range": "bytes=-10"})
    assert (suffix.status_code, suffix.content) == (206, IMAGE[-10:])


async def test_ranges_the_server_does_not_honour(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    url = await image_url(kit)
    changed = await client.get(url, headers={"Range": "bytes=100-", "If-Range": '"another-version"'})
    assert (changed.status_code, changed.content) == (200, IMAGE)
    several = await client.get(url, headers={"Range": "bytes=0-1,5-6"})
    assert (several.status_code, len(several.content)) == (200, len(IMAGE))
    past = await client.get(url, headers={"Range": f"bytes={len(IMAGE)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(IMAGE)}"


async def test_altered_expired_and_missing_downloads(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    url = await image_url(kit)
    assert (await client.get(url.replace("station=CS-1", "station=CS-2"))).status_code == 403
    assert (await client.get(url.split("?")[0])).status_code == 403
    other = url.replace("/fw.bin?", "/other.bin?")
    assert (await client.get(other)).status_code == 403
    missing = kit.artifacts.download_url("images/none/fw.bin").url
    assert (await client.get(missing)).status_code == 404
    unsafe = kit.artifacts.download_url("images/x/..%2Fsecret").url
    assert (await client.get(unsafe)).status_code in (403, 404)
    kit.clock.advance(3600)
    gone = await client.get(url)
    assert gone.status_code == 410
    assert gone.json() == {"error": "the URL has expired"}


async def test_a_raw_put_upload_is_stored_once(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    slot = kit.artifacts.upload_url("CS-1")
    answer = await client.put(f"{slot.url}/diag-1.zip", content=b"diagnostics")
    assert answer.status_code == 201
    assert answer.json() == {"upload_id": slot.upload_id, "filename": "diag-1.zip", "size": 11}
    stored = await kit.uploads.get("CS-1", slot.upload_id)
    assert stored is not None and stored.filename == "diag-1.zip"
    assert await read(kit.artifacts.store, stored.content_key) == b"diagnostics"
    again = await client.put(slot.url, content=b"second")
    assert again.status_code == 403
    assert again.json() == {"error": "this upload URL was already used"}


async def test_a_multipart_post_as_stations_send_it(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    slot = kit.artifacts.upload_url("CS-2")
    answer = await client.post(
        slot.url,
        data={"note": "field before the file"},
        files={"uploadFile": ("log.tar.gz", b"L" * 30_000, "application/gzip")},
    )
    assert answer.status_code == 201
    stored = await kit.uploads.get("CS-2", slot.upload_id)
    assert stored is not None
    assert (stored.filename, stored.content_type, stored.size) == ("log.tar.gz", "application/gzip", 30_000)


async def test_uploads_over_the_limit_are_refused_and_leave_nothing(
    kit: ArtifactsKit, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    declared = kit.artifacts.upload_url("CS-1")
    assert (await client.put(declared.url, content=b"x" * 50_001)).status_code == 413

    async def streamed() -> AsyncIterator[bytes]:  # chunked: no Content-Length, the limit is found while reading
        for _ in range(6):
            yield b"y" * 10_000

    slot = kit.artifacts.upload_url("CS-1")
    refused = await client.put(slot.url, content=streamed())
    assert refused.status_code == 413
    assert refused.json() == {"error": "larger than the limit of 50000 bytes"}
    multipart = kit.artifacts.upload_url("CS-1")
    answer = await client.post(multipart.url, files={"file": ("big.log", b"z" * 60_000)})
    assert answer.status_code == 413
    assert kit.uploads.files == {}
    assert files_below(tmp_path / "store") == []
    retried = await client.put(slot.url, content=b"small enough")  # a refused upload did not use its token
    assert retried.status_code == 201


async def test_bad_upload_tokens_and_bodies(kit: ArtifactsKit, client: httpx.AsyncClient) -> None:
    slot = kit.artifacts.upload_url("CS-1")
    assert (await client.put(slot.url[:-3], content=b"x")).status_code == 403
    assert (await client.put(f"{kit.artifacts.base_url}/uploads/garbage", content=b"x")).status_code == 403
    fields_only = b'--zzz\r\nContent-Disposition: form-data; name="only"\r\n\r\nfields\r\n--zzz--\r\n'
    no_file = await client.post(
        slot.url, content=fields_only, headers={"Content-Type": "multipart/form-data; boundary=zzz"}
    )
    assert no_file.status_code == 400
    broken = await client.post(
        slot.url, content=b"--b\r\nnot a part", headers={"Content-Type": "multipart/form-data; boundary=zzz"}
    )
    assert broken.status_code == 400
    assert (await client.get(f"{kit.artifacts.base_url}/uploads/x")).status_code == 405
    kit.clock.advance(600)
    expired = await client.put(slot.url, content=b"late")
    assert expired.status_code == 410
    assert expired.json() == {"error": "the upload token has expired"}


async def test_https_with_the_edge_server_certificate(tmp_path: Path, dev_pki: DevPki) -> None:
    kit = build_artifacts_kit(LocalDirectoryStore(tmp_path / "store"))
    tls = server_tls(dev_pki.server_chain, dev_pki.server.key)
    server = ArtifactHttpServer(kit.artifacts, "127.0.0.1", 0, tls)
    await server.start()
    try:
        assert kit.artifacts.base_url.startswith("https://127.0.0.1:")
        url = await image_url(kit)
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=dev_pki.root_ca.certificate)) as client:
            answer = await client.get(url, headers={"Range": "bytes=0-9"})
    finally:
        await server.stop()
    assert (answer.status_code, answer.content) == (206, IMAGE[:10])


def test_a_certificate_needs_its_key(dev_pki: DevPki) -> None:
    assert server_tls(None, None) is None
    with pytest.raises(ValueError, match="key file"):
        server_tls(dev_pki.server_chain, None)
