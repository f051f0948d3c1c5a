"""What the artifacts part stores besides the bytes: firmware image metadata, the files stations uploaded, and
the one-time claims of upload tokens; the ports their Cassandra adapters (and the test fakes) implement. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class FirmwareImage:
    image_id: str
    version: str
    vendor: str
    models: tuple[str, ...]
    filename: str
    content_key: str
    sha256: str
    size: int
    uploaded_at: datetime
    signature: str = ""
    signing_certificate: str = ""


@dataclass(frozen=True)
class UploadedFile:
    station_id: str
    upload_id: str
    filename: str
    content_type: str
    content_key: str
    sha256: str
    size: int
    uploaded_at: datetime


class ImageCatalog(Protocol):
    async def add(self, image: FirmwareImage) -> None: ...

    async def get(self, image_id: str) -> FirmwareImage | None: ...

    async def all(self) -> list[FirmwareImage]:
        """Every image, newest first."""
        ...


class UploadedFiles(Protocol):
    async def add(self, uploaded: UploadedFile) -> None: ...

    async def get(self, station_id: str, upload_id: str) -> UploadedFile | None: ...

    async def of_station(self, station_id: str) -> list[UploadedFile]:
        """The station's uploaded files, newest first."""
        ...


class UploadClaims(Protocol):
    """Makes an upload token usable once across every instance."""

    async def claim(self, upload_id: str, attempt: str, hold_s: int) -> bool:
        """True when `attempt` now holds the token (for at most `hold_s` unless finished); False when another
        attempt holds it or it was used."""
        ...

    async def release(self, upload_id: str, attempt: str) -> None:
        """The attempt failed: the token may be presented again."""
        ...

    async def finish(self, upload_id: str, attempt: str, keep_s: int) -> None:
        """The attempt stored its file: the token stays used for `keep_s` (past its expiry)."""
        ...
