"""The artifacts' Cassandra adapters over `csms_firmware.images`, `uploads` and `upload_claims` (schema.cql):
`CassandraImageCatalog`, `CassandraUploadedFiles`, `CassandraUploadClaims` (lightweight transactions).
Prepared statements, async execution. Network I/O only."""

from __future__ import annotations

from datetime import UTC, datetime

from csms_firmware.artifacts.model import FirmwareImage, UploadedFile
from csms_kernel.infra.cassandra import CassandraSession, Row

KEYSPACE = "csms_firmware"

_IMAGE_COLUMNS = (
    "image_id, version, vendor, models, filename, content_key, sha256, size, signature, signing_certificate,"
    " uploaded_at"
)
_ADD_IMAGE = f"INSERT INTO {{ks}}.images (bucket, {_IMAGE_COLUMNS}) VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_IMAGE = f"SELECT {_IMAGE_COLUMNS} FROM {{ks}}.images WHERE bucket = 0 AND image_id = ?"
_IMAGES = f"SELECT {_IMAGE_COLUMNS} FROM {{ks}}.images WHERE bucket = 0"
_UPLOAD_COLUMNS = "station_id, upload_id, filename, content_type, content_key, sha256, size, uploaded_at"
_ADD_UPLOAD = f"INSERT INTO {{ks}}.uploads ({_UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_UPLOAD = f"SELECT {_UPLOAD_COLUMNS} FROM {{ks}}.uploads WHERE station_id = ? AND upload_id = ?"
_UPLOADS = f"SELECT {_UPLOAD_COLUMNS} FROM {{ks}}.uploads WHERE station_id = ?"
_CLAIM = (
    "INSERT INTO {ks}.upload_claims (upload_id, attempt, state) VALUES (?, ?, 'uploading') IF NOT EXISTS USING TTL ?"
)
_RELEASE = "DELETE FROM {ks}.upload_claims WHERE upload_id = ? IF attempt = ?"
_FINISH = "UPDATE {ks}.upload_claims USING TTL ? SET state = 'done', attempt = ? WHERE upload_id = ? IF attempt = ?"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _image(row: Row) -> FirmwareImage:
    return FirmwareImage(
        image_id=row["image_id"],
        version=row["version"],
        vendor=row["vendor"],
        models=tuple(row["models"] or ()),
        filename=row["filename"],
        content_key=row["content_key"],
        sha256=row["sha256"],
        size=row["size"],
        uploaded_at=_utc(row["uploaded_at"]),
        signature=row["signature"] or "",
        signing_certificate=row["signing_certificate"] or "",
    )


def _uploaded(row: Row) -> UploadedFile:
    return UploadedFile(
        station_id=row["station_id"],
        upload_id=row["upload_id"],
        filename=row["filename"],
        content_type=row["content_type"],
        content_key=row["content_key"],
        sha256=row["sha256"],
        size=row["size"],
        uploaded_at=_utc(row["uploaded_at"]),
    )


class _Tables:
    def __init__(self, session: CassandraSession, keyspace: str) -> None:
        self._session = session
        self._keyspace = keyspace

    async def _run(self, cql: str, params: tuple[object, ...], *, idempotent: bool = True) -> list[Row]:
        statement = await self._session.prepare(cql.format(ks=self._keyspace), idempotent=idempotent)
        return await self._session.execute(statement, params)


class CassandraImageCatalog(_Tables):
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        super().__init__(session, keyspace)

    async def add(self, image: FirmwareImage) -> None:
        await self._run(
            _ADD_IMAGE,
            (
                image.image_id,
                image.version,
                image.vendor,
                list(image.models),
                image.filename,
                image.content_key,
                image.sha256,
                image.size,
                image.signature or None,
                image.signing_certificate or None,
                image.uploaded_at,
            ),
        )

    async def get(self, image_id: str) -> FirmwareImage | None:
        rows = await self._run(_IMAGE, (image_id,))
        return _image(rows[0]) if rows else None

    async def all(self) -> list[FirmwareImage]:
        images = [_image(row) for row in await self._run(_IMAGES, ())]
        return sorted(images, key=lambda image: (image.uploaded_at, image.image_id), reverse=True)


class CassandraUploadedFiles(_Tables):
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        super().__init__(session, keyspace)

    async def add(self, uploaded: UploadedFile) -> None:
        await self._run(
            _ADD_UPLOAD,
            (
                uploaded.station_id,
                uploaded.upload_id,
                uploaded.filename,
                uploaded.content_type,
                uploaded.content_key,
                uploaded.sha256,
                uploaded.size,
                uploaded.uploaded_at,
            ),
        )

    async def get(self, station_id: str, upload_id: str) -> UploadedFile | None:
        rows = await self._run(_UPLOAD, (station_id, upload_id))
        return _uploaded(rows[0]) if rows else None

    async def of_station(self, station_id: str) -> list[UploadedFile]:
        files = [_uploaded(row) for row in await self._run(_UPLOADS, (station_id,))]
        return sorted(files, key=lambda uploaded: (uploaded.uploaded_at, uploaded.upload_id), reverse=True)


class CassandraUploadClaims(_Tables):
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        super().__init__(session, keyspace)

    async def claim(self, upload_id: str, attempt: str, hold_s: int) -> bool:
        rows = await self._run(_CLAIM, (upload_id, attempt, hold_s), idempotent=False)
        return bool(rows[0]["[applied]"])

    async def release(self, upload_id: str, attempt: str) -> None:
        await self._run(_RELEASE, (upload_id, attempt), idempotent=False)

    async def finish(self, upload_id: str, attempt: str, keep_s: int) -> None:
        rows = await self._run(_FINISH, (keep_s, attempt, upload_id, attempt), idempotent=False)
        if not rows[0]["[applied]"]:
            raise RuntimeError(f"upload {upload_id}: the claim of attempt {attempt} was lost before it finished")
