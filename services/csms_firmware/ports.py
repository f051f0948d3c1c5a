"""The firmware service's ports: what its use cases need from device-model, Kafka, its read model and the artifacts
(Protocols; the gRPC, Kafka and Cassandra adapters are in adapters/, the fakes in tests/kit/fakes/firmware.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.artifacts.model import FirmwareImage
from csms_firmware.artifacts.service import SignedUrl
from csms_kernel.clients.request_keys import RequestKeys as RequestKeys
from csms_kernel.clients.station_commands import StationCommands as StationCommands


class FirmwareImages(Protocol):
    """Uploaded firmware images and their signed download URLs (csms_firmware.artifacts.Artifacts)."""

    async def image(self, image_id: str) -> FirmwareImage | None: ...

    def download_url(
        self, key: str, station_id: str = "", ttl_s: int | None = None, *, usable_from: datetime | None = None
    ) -> SignedUrl:
        """A signed URL of the object, valid for the download TTL (or `ttl_s`) from now or `usable_from`."""
        ...


class StationIdentities(Protocol):
    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        """The station as device-model knows it (vendor, model and firmware version of its last BootNotification);
        None when it has never booted."""


class FirmwareEventPublisher(Protocol):
    async def publish(self, events: Sequence[firmware_pb2.FirmwareEvent]) -> None:
        """Appends the events to csms.firmware.events.v1 (acknowledged by Kafka when it returns)."""


class FirmwareHistory(Protocol):
    async def events(self, station_id: str) -> list[firmware_pb2.FirmwareEvent]:
        """Every entry of the station's firmware history (oldest first)."""
