"""Firmware and log requests: the request key claimed with its params, the command handed to device-model
(recorded there and sent now, or when the station connects with `queue_if_offline`), then the request recorded
on csms.firmware.events.v1.

Exactly once: the params are claimed under the request key (the caller's, or a new one) before anything is
sent, and device-model's idempotency key is derived from the request key, so a repeat of the request, after a
crash between any two steps included, sends the same params, gets the one command already made and records the
same event (same id, and the command's creation time) again, never a second UpdateFirmware. A repeat asking for
something else under the key is `KeyConflict`. Side effects: Cassandra, gRPC to device-model, Kafka."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import IDEMPOTENCY_PREFIX, requested
from csms_firmware.domain.params import CommandParams
from csms_firmware.ports import FirmwareEventPublisher, RequestKeys, StationCommands
from csms_kernel.infra.envelopes import to_datetime

MAX_REQUEST_KEY = 150


class KeyConflict(ValueError):
    """The request key was used for another request of the station; the message names it."""


class FirmwareRequests:
    def __init__(
        self,
        keys: RequestKeys,
        commands: StationCommands,
        events: FirmwareEventPublisher,
        clock: Callable[[], datetime],
        command_expiry: timedelta,
    ) -> None:
        self._keys = keys
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
            params,
            idempotency_key=IDEMPOTENCY_PREFIX + key,
            queue_if_offline=queue_if_offline,
            expires_at=expires_at if queue_if_offline else None,
        )
        sent_params = json.loads(recorded.params_json or "{}")
        request = firmware_pb2.FirmwareRequested(
            request_key=key,
            kind=command.kind,
            command=command.command,
            command_id=recorded.command_id,
            ocpp_request_id=int(sent_params.get("request_id") or 0),
            params_json=recorded.params_json,
            queued_if_offline=queue_if_offline,
        )
        at = to_datetime(recorded.created_at) if recorded.HasField("created_at") else self._clock()
        await self._events.publish([requested(station_id, request, at)])
        return request
