"""The `StationUpdates` port on the firmware service's own requests (app/requests.py): one campaign attempt is one
firmware update request (from the uploaded image, `update_from_image`, or the location) keyed by its attempt key, so
the request key claim and device-model's idempotency key make a repeat the same command (for an image, the same
command although a new signed URL would differ). A station offline or not booted yet (device-model:
FAILED_PRECONDITION, NOT_FOUND; for an image, no vendor/model known yet) is `StationOffline`; other final refusals
(an unknown image, an image for another vendor/model unless the target forces it) `AttemptRefused`. Side effects:
those of FirmwareRequests (Cassandra, gRPC to device-model, Kafka)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc

from csms.firmware.v1 import firmware_pb2
from csms_firmware.app.requests import FirmwareRequests, IncompatibleImage, StationNotBooted, UnknownImage
from csms_firmware.campaigns.domain.campaign import Target
from csms_firmware.campaigns.ports import AttemptRefused, StationOffline
from csms_firmware.domain.params import BadRequest, update_params
from csms_kernel.clients.station_commands import CommandRefused

# Offline, or never booted yet (device-model knows a station from its first boot): tried again later.
_NOT_CONNECTED = (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND)


class RequestStationUpdates:
    def __init__(self, requests: FirmwareRequests, clock: Callable[[], datetime]) -> None:
        self._requests = requests
        self._clock = clock

    async def update(self, station_id: str, target: Target, request_key: str) -> None:
        try:
            if target.image_id:
                await self._requests.update_from_image(
                    station_id,
                    target.image_id,
                    request_key,
                    queue_if_offline=False,
                    expires_at=None,
                    force=target.force,
                )
            else:
                command = update_params(
                    firmware_pb2.RequestFirmwareUpdateRequest(station_id=station_id, location=target.location),
                    self._clock(),
                )
                await self._requests.request(
                    station_id, command, queue_if_offline=False, expires_at=None, request_key=request_key
                )
        except StationNotBooted as exc:
            raise StationOffline(str(exc)) from exc
        except (BadRequest, UnknownImage, IncompatibleImage) as exc:
            raise AttemptRefused(str(exc)) from exc
        except CommandRefused as exc:
            if exc.code in _NOT_CONNECTED:
                raise StationOffline(str(exc)) from exc
            if exc.retryable:
                raise
            raise AttemptRefused(str(exc)) from exc
