"""Firmware and log requests: the request key claimed with its params, the command handed to device-model (recorded
there and sent now, or when the station connects with `queue_if_offline`), then the request recorded on
csms.firmware.events.v1. Exactly once: the params are claimed under the request key (the caller's, or a new one)
before anything is sent, and device-model's idempotency key is derived from the request key, so a repeat of the
request, after a crash between any two steps included, sends the same params, gets the one command already made and
records the same event (same id, and the command's creation time) again, never a second UpdateFirmware. A repeat
asking for something else under the key is `KeyConflict`. An update of an uploaded image (`update_from_image`) sends
the image's signed download URL for the station (its SHA-256 in the fragment, which never reaches the server), and
the image's signature and signing certificate; the image id is claimed with the params, and a repeat sends the first
claim's URL although a new one would differ. An image goes only to a station whose last boot reported the image's
vendor (and one of its models, when it names any), unless forced (`domain/compatibility.py`). Side effects:
Cassandra, gRPC to device-model, Kafka."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.compatibility import incompatibility
from csms_firmware.domain.events import IDEMPOTENCY_PREFIX, requested
from csms_firmware.domain.params import IMAGE_ID, CommandParams, image_update_params, to_send
from csms_firmware.ports import FirmwareEventPublisher, FirmwareImages, RequestKeys, StationCommands, StationIdentities
from csms_kernel.infra.envelopes import to_datetime

MAX_REQUEST_KEY = 150


class KeyConflict(ValueError):
    """The request key was used for another request of the station; the message names it."""


class UnknownImage(LookupError):
    """No uploaded image has the id; the message names it."""


class IncompatibleImage(ValueError):
    """The image is for another vendor or model than the station's; the message names both."""


class StationNotBooted(LookupError):
    """The station has not booted yet: its vendor and model are unknown, so an image cannot be checked against
    them; the message says so."""


class FirmwareRequests:
    def __init__(
        self,
        keys: RequestKeys,
        commands: StationCommands,
        events: FirmwareEventPublisher,
        clock: Callable[[], datetime],
        command_expiry: timedelta,
        images: FirmwareImages,
        stations: StationIdentities,
    ) -> None:
        self._keys = keys
        self._images = images
        self._stations = stations
        self._commands = commands
        self._events = events
        self._clock = clock
        self._command_expiry = command_expiry

    async def request(
        self,
        station_id: str,
        command: CommandParams,
        *,
        queue_if_offline: bool,
        expires_at: datetime | None,
        request_key: str,
    ) -> firmware_pb2.FirmwareRequested:
        """The request as recorded. Raises KeyConflict, CommandRefused (device-model's refusal) or
        EventLogUnavailable."""
        key = request_key or str(uuid.uuid4())
        claimed_command, params = await self._keys.claim(station_id, key, command.command, command.params)
        if not command.same_request(claimed_command, params):
            raise KeyConflict(
                f"request key {key!r} of station {station_id} was used for another request "
                f"({claimed_command} {json.dumps(params, sort_keys=True)})"
            )
        if queue_if_offline and expires_at is None:
            expires_at = self._clock() + self._command_expiry
        recorded = await self._commands.send(
            station_id,
            command.command,
            to_send(params),
            idempotency_key=IDEMPOTENCY_PREFIX + key,
            queue_if_offline=queue_if_offline,
            expires_at=expires_at if queue_if_offline else None,
        )
        sent_params = json.loads(recorded.params_json or "{}")
        image_id = str(params.get(IMAGE_ID) or "")
        request = firmware_pb2.FirmwareRequested(
            request_key=key,
            kind=command.kind,
            command=command.command,
            command_id=recorded.command_id,
            ocpp_request_id=int(sent_params.get("request_id") or 0),
            params_json=recorded.params_json,
            queued_if_offline=queue_if_offline,
            image_id=image_id,
        )
        at = to_datetime(recorded.created_at) if recorded.HasField("created_at") else self._clock()
        await self._events.publish([requested(station_id, request, at)])
        return request

    async def update_from_image(
        self,
        station_id: str,
        image_id: str,
        request_key: str,
        *,
        queue_if_offline: bool,
        expires_at: datetime | None,
        retrieve_at: datetime | None = None,
        install_at: datetime | None = None,
        retries: int | None = None,
        retry_interval_s: int = 0,
        force: bool = False,
    ) -> firmware_pb2.FirmwareRequested:
        """Updates the station with the uploaded image (see `update_image`)."""
        request = firmware_pb2.RequestFirmwareUpdateRequest(
            station_id=station_id,
            image_id=image_id,
            force=force,
            queue_if_offline=queue_if_offline,
            request_key=request_key,
            has_retries=retries is not None,
            retries=retries or 0,
            retry_interval_s=retry_interval_s,
        )
        for name, when in (("retrieve_at", retrieve_at), ("install_at", install_at), ("expires_at", expires_at)):
            if when is not None:
                getattr(request, name).FromDatetime(when)
        return await self.update_image(request, expires_at=expires_at)

    async def update_image(
        self, request: firmware_pb2.RequestFirmwareUpdateRequest, *, expires_at: datetime | None
    ) -> firmware_pb2.FirmwareRequested:
        """The update of `request.image_id` as recorded: the URL is the station's own and stays valid for the
        download TTL past the retrieve time or the queued command's expiry. Raises UnknownImage, IncompatibleImage,
        StationNotBooted (both unless `request.force`), BadRequest, KeyConflict, CommandRefused or
        EventLogUnavailable."""
        image = await self._images.image(request.image_id)
        if image is None:
            raise UnknownImage(f"no firmware image {request.image_id!r}")
        if not request.force:
            station = await self._stations.station(request.station_id)
            if station is None or not (station.vendor or station.model):
                raise StationNotBooted(
                    f"station {request.station_id} has not booted yet: its vendor and model are unknown, so image "
                    f"{image.image_id} cannot be checked against them (force to send it anyway)"
                )
            mismatch = incompatibility(image, station)
            if mismatch:
                raise IncompatibleImage(mismatch)
        now = self._clock()
        if request.queue_if_offline and expires_at is None:
            expires_at = now + self._command_expiry
        starts = [to_datetime(request.retrieve_at)] if request.HasField("retrieve_at") else []
        if request.queue_if_offline and expires_at is not None:
            starts.append(expires_at)
        url = self._images.download_url(
            image.content_key, request.station_id, usable_from=max(starts) if starts else None
        )
        command = image_update_params(
            request, f"{url.url}#sha256={image.sha256}", image.signature, image.signing_certificate, now
        )
        return await self.request(
            request.station_id,
            command,
            queue_if_offline=request.queue_if_offline,
            expires_at=expires_at,
            request_key=request.request_key,
        )
