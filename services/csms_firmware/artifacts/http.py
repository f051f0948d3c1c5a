"""The station-facing artifact server (aiohttp): firmware downloads and diagnostics/log uploads, a listener of
the firmware process (`ArtifactHttpServer` is a lifecycle resource), optionally HTTPS.

- `GET|HEAD /artifacts/<key>?expires=..[&station=..]&signature=..`: a signed download URL. One byte range is
  206 with Content-Range (If-Range with the object's entity tag, else the whole object); several ranges get the
  whole object (200); a range past the end is 416. ETag, Last-Modified, Accept-Ranges, Content-Length always.
  403 for an unsigned or altered URL, 410 once expired, 404 for no object.
- `PUT|POST /uploads/<token>[/<file name>]`: a station's file, as the raw body or as the first file part of a
  multipart/form-data body (what stations send). The size limit is checked against Content-Length first and
  enforced while streaming (413; nothing is kept). 403 for an altered or used token, 410 for an expired one.
Every error is a small JSON body `{"error": ...}`; a handler never takes the process down.
Side effects: binds a TCP port; reads and writes the artifact store.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from email.utils import format_datetime
from pathlib import Path

from aiohttp import BodyPartReader, hdrs, web

from csms_firmware.artifacts.ranges import Unsatisfiable, if_range_holds, parse_range
from csms_firmware.artifacts.service import AlreadyUsed, Artifacts, ChecksumMismatch, InvalidInput
from csms_firmware.artifacts.signing import BadSignature, Expired
from csms_firmware.artifacts.store import CHUNK_BYTES, ArtifactNotFound, InvalidKey, TooLarge

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[Exception], int]] = [
    (BadSignature, 403),
    (AlreadyUsed, 403),
    (Expired, 410),
    (ArtifactNotFound, 404),
    (InvalidKey, 404),
    (TooLarge, 413),
    (InvalidInput, 400),
    (ChecksumMismatch, 422),
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except ConnectionResetError:
        raise
    except Exception as exc:
        for kind, status in _STATUS:
            if isinstance(exc, kind):
                return _error(status, str(exc))
        log.exception("artifact request %s %s failed", request.method, request.path)
        return _error(500, "internal error")


def create_app(artifacts: Artifacts) -> web.Application:
    app = web.Application(middlewares=[_errors])
    routes = _Routes(artifacts)
    app.router.add_get("/artifacts/{key:.+}", routes.download)  # HEAD too (aiohttp adds it)
    for method in ("PUT", "POST"):
        app.router.add_route(method, "/uploads/{token}", routes.upload)
        app.router.add_route(method, "/uploads/{token}/{filename}", routes.upload)
    return app


class _Routes:
    def __init__(self, artifacts: Artifacts) -> None:
        self._artifacts = artifacts

    async def download(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        query = request.query
        grant = self._artifacts.check_download(key, query.get("expires"), query.get("station"), query.get("signature"))
        info = await self._artifacts.stat(key)
        if info is None:
            raise ArtifactNotFound(f"no artifact {key}")
        headers = {
            hdrs.ETAG: info.etag,
            hdrs.LAST_MODIFIED: format_datetime(info.modified_at, usegmt=True),
            hdrs.ACCEPT_RANGES: "bytes",
            hdrs.CACHE_CONTROL: "private, no-transform",
        }
        wanted = None
        if if_range_holds(request.headers.get(hdrs.IF_RANGE), info.etag):
            try:
                wanted = parse_range(request.headers.get(hdrs.RANGE), info.size)
            except Unsatisfiable:
                headers[hdrs.CONTENT_RANGE] = f"bytes */{info.size}"
                return web.Response(status=416, headers=headers)
        first, last = (0, info.size - 1) if wanted is None else (wanted.first, wanted.last)
        response = web.StreamResponse(status=200 if wanted is None else 206, headers=headers)
        if wanted is not None:
            response.headers[hdrs.CONTENT_RANGE] = wanted.content_range(info.size)
        response.content_type = "application/octet-stream"
        response.content_length = last - first + 1 if info.size else 0
        await response.prepare(request)
        if request.method == hdrs.METH_HEAD or info.size == 0:
            return response
        log.debug("artifact %s bytes %d-%d to %s", key, first, last, grant.station_id or request.remote)
        async with contextlib.aclosing(self._artifacts.read(key, first, last)) as chunks:
            async for chunk in chunks:
                await response.write(chunk)
        await response.write_eof()
        return response

    async def upload(self, request: web.Request) -> web.StreamResponse:
        grant = self._artifacts.check_upload(request.match_info["token"])
        if request.content_length is not None and request.content_length > grant.max_bytes:
            raise TooLarge(grant.max_bytes)
        filename = request.match_info.get("filename", "")
        content_type = request.content_type
        body: AsyncIterator[bytes]
        if request.method == hdrs.METH_POST and content_type.startswith("multipart/"):
            part = await _file_part(request)
            filename = part.filename or filename
            content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
            body = _part_chunks(part)
        else:
            body = request.content.iter_chunked(CHUNK_BYTES)
        uploaded = await self._artifacts.receive_upload(grant, body, filename=filename, content_type=content_type)
        return web.json_response(
            {"upload_id": uploaded.upload_id, "filename": uploaded.filename, "size": uploaded.size}, status=201
        )


async def _file_part(request: web.Request) -> BodyPartReader:
    """The first part of a multipart body that carries a file (form fields before it are read and dropped)."""
    try:
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                raise InvalidInput("the multipart body has no file part")
            if isinstance(part, BodyPartReader) and (part.filename or part.name in ("file", "uploadFile")):
                return part
            if isinstance(part, BodyPartReader):
                await part.release()
    except (ValueError, AssertionError) as exc:  # aiohttp's reader reports malformed bodies so
        raise InvalidInput(f"malformed multipart body: {exc}") from None


async def _part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK_BYTES):
        yield chunk


def server_tls(cert_file: Path | None, key_file: Path | None) -> ssl.SSLContext | None:
    """The server TLS context of the given files; None when no certificate is set."""
    if cert_file is None:
        return None
    if key_file is None:
        raise ValueError("an artifact server certificate needs its key file (CSMS_FIRMWARE_HTTP_TLS_KEY_FILE)")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class ArtifactHttpServer:
    """The aiohttp server as a lifecycle resource: binds on `start()`, stops accepting and closes on `stop()`.
    After binding it sets the artifacts' base URL when none was configured (port 0)."""

    def __init__(
        self, artifacts: Artifacts, host: str, port: int, tls: ssl.SSLContext | None, *, public_url: str = ""
    ) -> None:
        self._artifacts = artifacts
        self._host = host
        self._port = port
        self._tls = tls
        self._public_url = public_url
        self._runner = web.AppRunner(create_app(artifacts), access_log=None, handle_signals=False, shutdown_timeout=5.0)
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://{self._host}:{self.port}"

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port, ssl_context=self._tls)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        if not self._public_url:
            self._artifacts.base_url = self.url
        log.info("artifact server on %s", self.url)

    async def stop(self) -> None:
        await self._runner.cleanup()
        self.port = None
