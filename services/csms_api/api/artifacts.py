"""Firmware images and station uploads: `/api/v1/firmware/images` (upload streaming, list, one, a signed download
URL for a station) and `/api/v1/stations/{id}/upload-urls` and `/uploads` (one-time upload URLs, the files stations
uploaded and their content). An `ApiPart` over the firmware artifacts' use cases, which it uses directly: the bytes
stream between the HTTP body and the artifact store without another hop (docs/adr/0038-firmware-artifacts.md).
Side effects: through the artifacts (store and csms_firmware tables)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from csms_api.api.app import ApiPart
from csms_api.api.auth import ADMIN, OPERATE, READ
from csms_api.api.problems import ProblemError
from csms_firmware.artifacts.model import FirmwareImage, UploadedFile
from csms_firmware.artifacts.service import Artifacts, ChecksumMismatch, InvalidInput
from csms_firmware.artifacts.store import ArtifactNotFound, TooLarge
from csms_kernel.infra.lifecycle import Resource

StationId = Annotated[str, Path(min_length=1, max_length=48)]
ImageId = Annotated[str, Path(min_length=1, max_length=64)]


class Image(BaseModel):
    image_id: str
    version: str
    vendor: str
    models: list[str] = Field(description="The station models it targets (empty: every model of the vendor).")
    filename: str
    size: int
    sha256: str = Field(description="SHA-256 of the bytes, computed while they were stored (hex).")
    signature: str | None = Field(description="The vendor's signature of the image (base64), for signed updates.")
    signing_certificate: str | None = Field(description="The PEM certificate that signature verifies with.")
    uploaded_at: datetime


class Images(BaseModel):
    items: list[Image]
    next_cursor: str | None = None


class DownloadUrlRequest(BaseModel):
    station_id: str = Field(default="", max_length=48, description="Bind the URL to this station (optional).")
    ttl_s: int | None = Field(default=None, gt=0, le=30 * 86400, description="Validity (default: the setting).")


class SignedUrl(BaseModel):
    url: str
    expires_at: datetime


class UploadUrlRequest(BaseModel):
    max_bytes: int | None = Field(default=None, gt=0, description="Size limit (default: the setting).")
    ttl_s: int | None = Field(default=None, gt=0, le=30 * 86400, description="Validity (default: the setting).")


class UploadUrl(BaseModel):
    url: str = Field(description="Where the station PUTs or POSTs (multipart) its file, once.")
    upload_id: str
    max_bytes: int
    expires_at: datetime


class Upload(BaseModel):
    station_id: str
    upload_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class Uploads(BaseModel):
    items: list[Upload]
    next_cursor: str | None = None


def _image(image: FirmwareImage) -> Image:
    return Image(
        image_id=image.image_id,
        version=image.version,
        vendor=image.vendor,
        models=list(image.models),
        filename=image.filename,
        size=image.size,
        sha256=image.sha256,
        signature=image.signature or None,
        signing_certificate=image.signing_certificate or None,
        uploaded_at=image.uploaded_at,
    )


def _upload(uploaded: UploadedFile) -> Upload:
    return Upload(
        station_id=uploaded.station_id,
        upload_id=uploaded.upload_id,
        filename=uploaded.filename,
        content_type=uploaded.content_type,
        size=uploaded.size,
        sha256=uploaded.sha256,
        uploaded_at=uploaded.uploaded_at,
    )


def _problem(exc: Exception) -> ProblemError:
    if isinstance(exc, TooLarge):
        return ProblemError(413, "too-large", str(exc))
    if isinstance(exc, ChecksumMismatch):
        return ProblemError(422, "checksum-mismatch", str(exc))
    if isinstance(exc, InvalidInput):
        return ProblemError(422, "invalid-argument", str(exc))
    return ProblemError(404, "not-found", str(exc))


def artifacts_router(artifacts: Artifacts) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["firmware artifacts"])

    async def image_of(image_id: str) -> FirmwareImage:
        image = await artifacts.images.get(image_id)
        if image is None:
            raise ProblemError(404, "not-found", f"no firmware image {image_id}")
        return image

    @router.post(
        "/firmware/images",
        status_code=201,
        dependencies=[ADMIN],
        openapi_extra={
            "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
        },
        responses={413: {"description": "Larger than CSMS_FIRMWARE_IMAGE_MAX_BYTES."}},
    )
    async def upload_image(
        request: Request,
        version: Annotated[str, Query(min_length=1, max_length=50)],
        vendor: Annotated[str, Query(min_length=1, max_length=255)],
        model: Annotated[list[str] | None, Query(description="A targeted model; repeat for several.")] = None,
        filename: Annotated[str, Query(max_length=255)] = "",
        sha256: Annotated[str, Query(description="Expected SHA-256 (hex); a mismatch is refused.")] = "",
        signature: Annotated[str, Query(max_length=4096)] = "",
        signing_certificate: Annotated[str, Query(max_length=16384, description="PEM.")] = "",
    ) -> Image:
        """Uploads a firmware image: the raw request body is the image, streamed to the artifact store and hashed
        on the way; the metadata comes in the query."""
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > artifacts.image_max_bytes:
            raise TooLarge(artifacts.image_max_bytes)
        image = await artifacts.add_image(
            request.stream(),
            version=version,
            vendor=vendor,
            models=tuple(model or ()),
            filename=filename,
            sha256=sha256,
            signature=signature,
            signing_certificate=signing_certificate,
        )
        return _image(image)

    @router.get("/firmware/images", dependencies=[READ])
    async def list_images() -> Images:
        """Every firmware image, newest first."""
        return Images(items=[_image(image) for image in await artifacts.images.all()])

    @router.get("/firmware/images/{image_id}", dependencies=[READ])
    async def get_image(image_id: ImageId) -> Image:
        return _image(await image_of(image_id))

    @router.post("/firmware/images/{image_id}/download-url", dependencies=[OPERATE])
    async def download_url(image_id: ImageId, body: Annotated[DownloadUrlRequest, Body()]) -> SignedUrl:
        """A signed, expiring URL stations download the image from (the `location` of an UpdateFirmware)."""
        image = await image_of(image_id)
        signed = artifacts.download_url(image.content_key, body.station_id, body.ttl_s)
        return SignedUrl(url=signed.url, expires_at=signed.expires_at)

    @router.post("/stations/{station_id}/upload-urls", status_code=201, dependencies=[OPERATE])
    async def upload_url(station_id: StationId, body: Annotated[UploadUrlRequest, Body()]) -> UploadUrl:
        """A one-time upload URL for the station's diagnostics or log file (the `location` of a GetLog or
        GetDiagnostics)."""
        slot = artifacts.upload_url(station_id, body.max_bytes, body.ttl_s)
        return UploadUrl(url=slot.url, upload_id=slot.upload_id, max_bytes=slot.max_bytes, expires_at=slot.expires_at)

    @router.get("/stations/{station_id}/uploads", dependencies=[READ])
    async def list_uploads(station_id: StationId) -> Uploads:
        """The files the station uploaded, newest first."""
        return Uploads(items=[_upload(u) for u in await artifacts.uploads.of_station(station_id)])

    async def uploaded_of(station_id: str, upload_id: str) -> UploadedFile:
        uploaded = await artifacts.uploads.get(station_id, upload_id)
        if uploaded is None:
            raise ProblemError(404, "not-found", f"station {station_id} has no upload {upload_id}")
        return uploaded

    @router.get("/stations/{station_id}/uploads/{upload_id}", dependencies=[READ])
    async def get_upload(station_id: StationId, upload_id: Annotated[str, Path(max_length=64)]) -> Upload:
        return _upload(await uploaded_of(station_id, upload_id))

    @router.get(
        "/stations/{station_id}/uploads/{upload_id}/content",
        dependencies=[READ],
        response_class=StreamingResponse,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    async def upload_content(
        station_id: StationId, upload_id: Annotated[str, Path(max_length=64)]
    ) -> StreamingResponse:
        """The uploaded file's bytes, streamed from the artifact store."""
        uploaded = await uploaded_of(station_id, upload_id)
        info = await artifacts.stat(uploaded.content_key)
        if info is None:
            raise ArtifactNotFound(f"the content of upload {upload_id} is missing from the store")
        chunks: AsyncIterator[bytes] = artifacts.read(uploaded.content_key)
        return StreamingResponse(
            chunks,
            media_type=uploaded.content_type,
            headers={
                "Content-Length": str(info.size),
                "Content-Disposition": f'attachment; filename="{uploaded.filename}"',
                "ETag": info.etag,
            },
        )

    return router


def artifacts_part(artifacts: Artifacts, resources: Sequence[Resource] = ()) -> ApiPart:
    """The artifacts routes with the resources their store needs (the S3 client) and their problems."""
    return ApiPart(
        router=artifacts_router(artifacts),
        resources=resources,
        problems={TooLarge: _problem, ChecksumMismatch: _problem, InvalidInput: _problem, ArtifactNotFound: _problem},
    )
