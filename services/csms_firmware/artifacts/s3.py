"""`S3Store`: the artifact store in an S3-compatible bucket (production; any number of processes and hosts).

Async through aiobotocore (botocore's request signing and retries on aiohttp), one client per process opened on
`start()`. A put streams in parts of `part_bytes` (S3's minimum is 5 MiB): a body shorter than one part is one
PutObject, a longer one a multipart upload that is aborted when the body fails, so S3 never shows a partial object
(atomic either way). Reads ask S3 for the byte range itself. Side effects: HTTP(S) to the S3 endpoint.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterable
from datetime import UTC
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from csms_firmware.artifacts.store import CHUNK_BYTES, ArtifactInfo, ArtifactNotFound, check_key

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

PART_BYTES = 8 * 1024 * 1024
_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Store:
    def __init__(
        self,
        *,
        endpoint_url: str | None,
        bucket: str,
        region: str,
        access_key_id: str,
        secret_access_key: str,
        prefix: str = "",
        part_bytes: int = PART_BYTES,
        path_style: bool = True,
    ) -> None:
        self.bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._part_bytes = part_bytes
        self._client_options: dict[str, Any] = {
            "endpoint_url": endpoint_url or None,
            "region_name": region,
            "aws_access_key_id": access_key_id or None,
            "aws_secret_access_key": secret_access_key or None,
            "config": AioConfig(
                s3={"addressing_style": "path" if path_style else "auto"},
                retries={"max_attempts": 5, "mode": "standard"},
                max_pool_connections=64,
                # Whole-object checksums only when asked for: some servers (gofakes3) send the whole object's
                # CRC with a ranged GET, which botocore would check against the part. Our SHA-256 covers images.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        }
        self._stack = contextlib.AsyncExitStack()
        self._client: S3Client | None = None

    async def start(self) -> None:
        self._client = await self._stack.enter_async_context(get_session().create_client("s3", **self._client_options))

    async def stop(self) -> None:
        self._client = None
        await self._stack.aclose()

    @property
    def client(self) -> S3Client:
        if self._client is None:
            raise RuntimeError("the S3 store is used before start()")
        return self._client

    def _object(self, key: str) -> str:
        return self._prefix + check_key(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> ArtifactInfo:
        name = self._object(key)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                buffer += chunk
                while len(buffer) >= self._part_bytes:
                    if upload_id is None:
                        created = await self.client.create_multipart_upload(Bucket=self.bucket, Key=name)
                        upload_id = created["UploadId"]
                    part, buffer = bytes(buffer[: self._part_bytes]), buffer[self._part_bytes :]
                    parts.append(await self._part(name, upload_id, len(parts) + 1, part))
            if upload_id is None:
                await self.client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
            else:
                if buffer or not parts:
                    parts.append(await self._part(name, upload_id, len(parts) + 1, bytes(buffer)))
                await self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
                )
        except BaseException:
            if upload_id is not None:
                with contextlib.suppress(ClientError):
                    await self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise
        info = await self.stat(key)
        if info is None:
            raise ArtifactNotFound(f"{key} vanished right after it was stored")
        return info

    async def _part(self, name: str, upload_id: str, number: int, body: bytes) -> dict[str, Any]:
        answer = await self.client.upload_part(
            Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=body
        )
        return {"ETag": answer["ETag"], "PartNumber": number}

    async def get(self, key: str, first: int = 0, last: int | None = None) -> AsyncGenerator[bytes]:
        name = self._object(key)
        options: dict[str, Any] = {}
        if first or last is not None:
            options["Range"] = f"bytes={first}-{'' if last is None else last}"
        try:
            answer = await self.client.get_object(Bucket=self.bucket, Key=name, **options)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise ArtifactNotFound(key) from None
            raise
        body = answer["Body"]
        try:
            async for chunk in body.iter_chunks(CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def stat(self, key: str) -> ArtifactInfo | None:
        try:
            head = await self.client.head_object(Bucket=self.bucket, Key=self._object(key))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise
        modified = head["LastModified"]
        return ArtifactInfo(
            key=key,
            size=int(head["ContentLength"]),
            etag=head["ETag"],
            modified_at=modified.astimezone(UTC) if modified.tzinfo else modified.replace(tzinfo=UTC),
        )

    async def delete(self, key: str) -> None:
        await self.client.delete_object(Bucket=self.bucket, Key=self._object(key))

    async def ensure_bucket(self) -> None:
        """Creates the bucket if it does not exist (development and tests; production buckets are provisioned)."""
        try:
            await self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) not in _MISSING | {"NoSuchBucket"}:
                raise
            await self.client.create_bucket(Bucket=self.bucket)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
