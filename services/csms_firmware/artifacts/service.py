"""`Artifacts`: the use cases of firmware images and station uploads, over the store, the catalogs, the one-time
claims and the signer. Used by the station-facing HTTP server (http.py), the operator API and the CLI.

- An operator's image is streamed into the store under `images/<id>/<file name>`, hashed on the way (SHA-256) and
  checked against the checksum given with it; a mismatch removes it. Only then is its metadata recorded.
- A download URL is `<public url>/artifacts/<key>?expires=..[&station=..]&signature=..`.
- An upload URL is `<public url>/uploads/<token>`; the token carries the upload id, station, size limit and
  expiry. A station's file is streamed under `uploads/<station>/<upload id>/<file name>`; the token is claimed
  for the attempt first and released if it fails, so a failed upload may be retried and a finished one never
  repeated.
Side effects: through the ports only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from csms_firmware.artifacts.model import FirmwareImage, ImageCatalog, UploadClaims, UploadedFile, UploadedFiles
from csms_firmware.artifacts.signing import DownloadGrant, Signer, UploadGrant
from csms_firmware.artifacts.store import ArtifactError, ArtifactInfo, ArtifactStore, Metered

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SHA256 = re.compile(r"[0-9a-f]{64}")
KEEP_USED_S = 86400
"""A used token's claim outlives the token's expiry by this much (s)."""


class InvalidInput(ArtifactError):
    """Bad metadata or parameters (answer 400)."""


class ChecksumMismatch(ArtifactError):
    """The image's bytes do not have the checksum given with them (answer 422); nothing was kept."""


class AlreadyUsed(ArtifactError):
    """The upload token was used, or is in use by another upload (answer 403)."""


def safe_name(name: str, default: str) -> str:
    """A file name usable as the last segment of a store key: the base name, unsafe characters replaced."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip(".")[:128]
    return cleaned or default


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class UploadSlot:
    url: str
    upload_id: str
    max_bytes: int
    expires_at: datetime


class Artifacts:
    def __init__(
        self,
        store: ArtifactStore,
        images: ImageCatalog,
        uploads: UploadedFiles,
        claims: UploadClaims,
        signer: Signer,
        clock: Callable[[], datetime],
        *,
        base_url: str,
        download_ttl_s: int,
        upload_ttl_s: int,
        upload_max_bytes: int,
        image_max_bytes: int,
        upload_hold_s: int,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.store = store
        self.images = images
        self.uploads = uploads
        self._claims = claims
        self._signer = signer
        self._clock = clock
        self.base_url = base_url.rstrip("/")
        self._download_ttl = timedelta(seconds=download_ttl_s)
        self._upload_ttl = timedelta(seconds=upload_ttl_s)
        self._upload_max_bytes = upload_max_bytes
        self.image_max_bytes = image_max_bytes
        self._upload_hold_s = upload_hold_s
        self._new_id = new_id

    async def add_image(
        self,
        body: AsyncIterable[bytes],
        *,
        version: str,
        vendor: str,
        models: tuple[str, ...] = (),
        filename: str = "",
        sha256: str = "",
        signature: str = "",
        signing_certificate: str = "",
    ) -> FirmwareImage:
        """Stores an operator's image and records it; `InvalidInput`, `TooLarge`, `ChecksumMismatch`."""
        version, vendor, sha256 = version.strip(), vendor.strip(), sha256.strip().lower()
        if not version or len(version) > 50:
            raise InvalidInput("version must be 1-50 characters")
        if not vendor or len(vendor) > 255:
            raise InvalidInput("vendor must be 1-255 characters")
        if sha256 and not _SHA256.fullmatch(sha256):
            raise InvalidInput("sha256 must be 64 hexadecimal digits")
        if signing_certificate and "-----BEGIN CERTIFICATE-----" not in signing_certificate:
            raise InvalidInput("signing_certificate must be a PEM certificate")
        image_id = self._new_id()
        name = safe_name(filename, "firmware.bin")
        key = f"images/{image_id}/{name}"
        metered = Metered(body, self.image_max_bytes)
        info = await self.store.put(key, metered)
        if sha256 and sha256 != metered.sha256:
            await self.store.delete(key)
            raise ChecksumMismatch(f"the image's SHA-256 is {metered.sha256}, not {sha256}")
        image = FirmwareImage(
            image_id=image_id,
            version=version,
            vendor=vendor,
            models=tuple(m.strip() for m in models if m.strip()),
            filename=name,
            content_key=key,
            sha256=metered.sha256,
            size=info.size,
            uploaded_at=self._clock(),
            signature=signature.strip(),
            signing_certificate=signing_certificate.strip(),
        )
        await self.images.add(image)
        return image

    async def image(self, image_id: str) -> FirmwareImage | None:
        return await self.images.get(image_id)

    def download_url(
        self, key: str, station_id: str = "", ttl_s: int | None = None, *, usable_from: datetime | None = None
    ) -> SignedUrl:
        """Valid for `ttl_s` (default: the download TTL) from now, or from `usable_from` when later (a retrieve
        time, or the expiry of a command queued for an offline station)."""
        start = self._clock() if usable_from is None else max(self._clock(), usable_from)
        expires_at = start + (self._download_ttl if ttl_s is None else timedelta(seconds=ttl_s))
        query = self._signer.download_query(key, expires_at, station_id)
        return SignedUrl(f"{self.base_url}/artifacts/{quote(key)}?{query}", expires_at.replace(microsecond=0))

    def check_download(
        self, key: str, expires: str | None, station_id: str | None, signature: str | None
    ) -> DownloadGrant:
        return self._signer.check_download(key, expires, station_id, signature, self._clock())

    def upload_url(self, station_id: str, max_bytes: int | None = None, ttl_s: int | None = None) -> UploadSlot:
        """A one-time upload URL for one station's file (a GetLog/GetDiagnostics location)."""
        if not station_id:
            raise InvalidInput("an upload URL is issued to a station")
        limit = self._upload_max_bytes if max_bytes is None else max_bytes
        if limit <= 0:
            raise InvalidInput("max_bytes must be positive")
        expires_at = (self._clock() + (self._upload_ttl if ttl_s is None else timedelta(seconds=ttl_s))).replace(
            microsecond=0
        )
        grant = UploadGrant(self._new_id(), station_id, limit, int(expires_at.timestamp()))
        return UploadSlot(
            f"{self.base_url}/uploads/{self._signer.upload_token(grant)}", grant.upload_id, limit, expires_at
        )

    def check_upload(self, token: str) -> UploadGrant:
        return self._signer.check_upload(token, self._clock())

    async def receive_upload(
        self, grant: UploadGrant, body: AsyncIterable[bytes], *, filename: str, content_type: str
    ) -> UploadedFile:
        """Stores a station's file under its checked grant, once; `AlreadyUsed`, `TooLarge`."""
        attempt = uuid.uuid4().hex
        if not await self._claims.claim(grant.upload_id, attempt, self._upload_hold_s):
            raise AlreadyUsed("this upload URL was already used")
        name = safe_name(filename, "upload.bin")
        key = f"uploads/{safe_name(grant.station_id, 'station')}/{grant.upload_id}/{name}"
        metered = Metered(body, grant.max_bytes)
        try:
            info = await self.store.put(key, metered)
            uploaded = UploadedFile(
                station_id=grant.station_id,
                upload_id=grant.upload_id,
                filename=name,
                content_type=content_type or "application/octet-stream",
                content_key=key,
                sha256=metered.sha256,
                size=info.size,
                uploaded_at=self._clock(),
            )
            await self.uploads.add(uploaded)
        except BaseException:
            await self._claims.release(grant.upload_id, attempt)
            raise
        remaining = grant.expires - int(self._clock().timestamp())
        await self._claims.finish(grant.upload_id, attempt, max(remaining, 0) + KEEP_USED_S)
        return uploaded

    async def stat(self, key: str) -> ArtifactInfo | None:
        return await self.store.stat(key)

    def read(self, key: str, first: int = 0, last: int | None = None) -> AsyncGenerator[bytes]:
        return self.store.get(key, first, last)
