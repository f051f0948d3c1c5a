"""Builders of the firmware artifacts' use cases over a given store, the in-memory metadata fakes and a settable
clock (`Clock`), with small limits tests can cross."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from csms_firmware.artifacts.service import Artifacts
from csms_firmware.artifacts.signing import Signer
from csms_firmware.artifacts.store import ArtifactStore
from kit.fakes.firmware_artifacts import InMemoryImageCatalog, InMemoryUploadClaims, InMemoryUploadedFiles

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SECRET = b"test-artifact-secret"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class ArtifactsKit:
    artifacts: Artifacts
    images: InMemoryImageCatalog
    uploads: InMemoryUploadedFiles
    claims: InMemoryUploadClaims
    clock: Clock


def build_artifacts_kit(
    store: ArtifactStore,
    *,
    clock: Clock | None = None,
    base_url: str = "http://artifacts.test",
    upload_max_bytes: int = 10_000,
    image_max_bytes: int = 1_000_000,
) -> ArtifactsKit:
    clock = clock or Clock()
    images, uploads, claims = InMemoryImageCatalog(), InMemoryUploadedFiles(), InMemoryUploadClaims(clock)
    artifacts = Artifacts(
        store,
        images,
        uploads,
        claims,
        Signer(SECRET),
        clock,
        base_url=base_url,
        download_ttl_s=3600,
        upload_ttl_s=600,
        upload_max_bytes=upload_max_bytes,
        image_max_bytes=image_max_bytes,
        upload_hold_s=300,
    )
    return ArtifactsKit(artifacts, images, uploads, claims, clock)


def files_below(root: Path) -> list[str]:
    """Every file below `root`, as sorted relative POSIX paths (what a local store left behind)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
