"""Wiring of the artifacts part: `build_artifacts(settings, session)` builds the store, the Cassandra catalogs,
the signer and the use cases, and (for the firmware process) the station-facing HTTP server. No I/O: the store
(S3 client) and the server are resources the caller starts and stops, in the order of `resources`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from csms_firmware.artifacts.cassandra import CassandraImageCatalog, CassandraUploadClaims, CassandraUploadedFiles
from csms_firmware.artifacts.http import ArtifactHttpServer, server_tls
from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_firmware.artifacts.model import ImageCatalog, UploadClaims, UploadedFiles
from csms_firmware.artifacts.s3 import S3Store
from csms_firmware.artifacts.service import Artifacts
from csms_firmware.artifacts.settings import ArtifactSettings
from csms_firmware.artifacts.signing import Signer
from csms_firmware.artifacts.store import ArtifactStore
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.lifecycle import Resource


def utc_now() -> datetime:
    return datetime.now(UTC)


class _S3Resource:
    """Opens the S3 client on start (creating the bucket when told to) and closes it on stop."""

    def __init__(self, store: S3Store, create_bucket: bool) -> None:
        self._store = store
        self._create_bucket = create_bucket

    async def start(self) -> None:
        await self._store.start()
        if self._create_bucket:
            await self._store.ensure_bucket()

    async def stop(self) -> None:
        await self._store.stop()


@dataclass
class BuiltArtifacts:
    """The wired artifacts: the use cases, and the resources to start in order (the S3 client, then the
    server when one was asked for) and stop in reverse."""

    artifacts: Artifacts
    resources: list[Resource] = field(default_factory=list)
    server: ArtifactHttpServer | None = None


def build_store(settings: ArtifactSettings) -> tuple[ArtifactStore, list[Resource]]:
    """The store named by the settings and the resources it needs started."""
    if settings.store == "s3":
        s3 = S3Store(
            endpoint_url=settings.s3_endpoint_url or None,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key.get_secret_value(),
            prefix=settings.s3_prefix,
        )
        return s3, [_S3Resource(s3, settings.s3_create_bucket)]
    return LocalDirectoryStore(settings.store_dir), []


def build_artifacts(
    settings: ArtifactSettings,
    session: CassandraSession,
    *,
    serve_http: bool = True,
    store: ArtifactStore | None = None,
    images: ImageCatalog | None = None,
    uploads: UploadedFiles | None = None,
    claims: UploadClaims | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> BuiltArtifacts:
    """The artifacts part, wired; keywords replace ports (tests pass fakes). `serve_http`: also the station-facing
    server (the firmware process); the API and CLI use the artifacts without it. The session stays the caller's."""
    resources: list[Resource] = []
    if store is None:
        store, resources = build_store(settings)
    artifacts = Artifacts(
        store,
        images or CassandraImageCatalog(session),
        uploads or CassandraUploadedFiles(session),
        claims or CassandraUploadClaims(session),
        Signer(settings.url_secret.get_secret_value().encode()),
        clock,
        base_url=settings.base_url(),
        download_ttl_s=settings.download_url_ttl_s,
        upload_ttl_s=settings.upload_url_ttl_s,
        upload_max_bytes=settings.upload_max_bytes,
        image_max_bytes=settings.image_max_bytes,
        upload_hold_s=settings.upload_hold_s,
    )
    built = BuiltArtifacts(artifacts, resources)
    if serve_http:
        host, port = settings.listen_address()
        built.server = ArtifactHttpServer(
            artifacts,
            host,
            port,
            server_tls(settings.http_tls_cert_file, settings.http_tls_key_file),
            public_url=settings.public_url,
        )
        built.resources.append(built.server)
    return built
