"""The firmware service's ports: what its use cases need from device-model, Kafka, its read model and the artifacts
(Protocols; the gRPC, Kafka and Cassandra adapters are in adapters/, the fakes in tests/kit/fakes/firmware.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.artifacts.model import FirmwareImage
from csms_firmware.artifacts.service import SignedUrl


class StationCommands(Protocol):
    async def send(
        self,
        station_id: str,
        command: str,
        params: Mapping[str, Any],
        *,
        idempotency_key: str,
        queue_if_offline: bool,
        expires_at: datetime | None,
    ) -> device_model_pb2.Command:
        """The command device-model recorded for the station (a repeat with the same key: the same command, never
        a second one). csms_kernel.clients.station_commands.CommandRefused when it did not record it."""


class RequestKeys(Protocol):
    async def claim(
        self, station_id: str, request_key: str, command: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Stores the command and params under the station's request key unless the key has some already;
        returns what is stored (the first claim's, whoever made it)."""


class FirmwareImages(Protocol):
    """Uploaded firmware images and their signed download URLs (csms_firmware.artifacts.Artifacts)."""

    async def image(self, image_id: str) -> FirmwareImage | None: ...

    def download_url(
        self, key: str, station_id: str = "", ttl_s: int | None = None, *, usable_from: datetime | None = None
    ) -> SignedUrl:
        """A signed URL of the object, valid for the download TTL (or `ttl_s`) from now or `usable_from`."""
        ...


class FirmwareEventPublisher(Protocol):
    async def publish(self, events: Sequence[firmware_pb2.FirmwareEvent]) -> None:
        """Appends the events to csms.firmware.events.v1 (acknowledged by Kafka when it returns)."""


class FirmwareHistory(Protocol):
    async def events(self, station_id: str) -> list[firmware_pb2.FirmwareEvent]:
        """Every entry of the station's firmware history (oldest first)."""
