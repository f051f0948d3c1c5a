"""In-memory fakes of the firmware artifacts' persistence ports (csms_firmware.artifacts.model): the image
catalog, the uploaded files and the one-time token claims (a claim's hold ends by the given clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from csms_firmware.artifacts.model import FirmwareImage, UploadedFile


class InMemoryImageCatalog:
    def __init__(self) -> None:
        self.images: dict[str, FirmwareImage] = {}

    async def add(self, image: FirmwareImage) -> None:
        self.images[image.image_id] = image

    async def get(self, image_id: str) -> FirmwareImage | None:
        return self.images.get(image_id)

    async def all(self) -> list[FirmwareImage]:
        return sorted(self.images.values(), key=lambda image: (image.uploaded_at, image.image_id), reverse=True)


class InMemoryUploadedFiles:
    def __init__(self) -> None:
        self.files: dict[tuple[str, str], UploadedFile] = {}

    async def add(self, uploaded: UploadedFile) -> None:
        self.files[(uploaded.station_id, uploaded.upload_id)] = uploaded

    async def get(self, station_id: str, upload_id: str) -> UploadedFile | None:
        return self.files.get((station_id, upload_id))

    async def of_station(self, station_id: str) -> list[UploadedFile]:
        found = [f for (station, _), f in self.files.items() if station == station_id]
        return sorted(found, key=lambda f: (f.uploaded_at, f.upload_id), reverse=True)


class InMemoryUploadClaims:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self.claims: dict[str, tuple[str, str, datetime]] = {}  # upload id -> attempt, state, until

    def _live(self, upload_id: str) -> tuple[str, str, datetime] | None:
        found = self.claims.get(upload_id)
        if found is not None and found[2] <= self._clock():
            del self.claims[upload_id]
            return None
        return found

    async def claim(self, upload_id: str, attempt: str, hold_s: int) -> bool:
        if self._live(upload_id) is not None:
            return False
        self.claims[upload_id] = (attempt, "uploading", self._clock() + timedelta(seconds=hold_s))
        return True

    async def release(self, upload_id: str, attempt: str) -> None:
        found = self._live(upload_id)
        if found is not None and found[0] == attempt:
            del self.claims[upload_id]

    async def finish(self, upload_id: str, attempt: str, keep_s: int) -> None:
        found = self._live(upload_id)
        if found is None or found[0] != attempt:
            raise RuntimeError(f"upload {upload_id}: the claim of attempt {attempt} was lost before it finished")
        self.claims[upload_id] = (attempt, "done", self._clock() + timedelta(seconds=keep_s))
