"""Profile commands (set-charging-profile, clear-charging-profile, get-composite-schedule,
get-charging-profiles): the request key claimed with its params, the command handed to device-model (recorded
there and sent now, or when the station connects with `queue_if_offline`; device-model checks the params and
translates them to the station's version), then the request recorded on csms.smart_charging.events.v1.

Exactly once: the params are claimed under the request key (the caller's, or a new one) before anything is
sent, and device-model's idempotency key is derived from the request key, so a repeat of the request, after a
crash between any two steps included, gets the one command already made and records the same event again, never
a second SetChargingProfile. A repeat asking for something else under the key is `KeyConflict`. Load management
installs its TxProfiles with `set_profile(wait=True)` (origin LOAD, a request key per allocation), which returns
once the station answered: lowers must be accepted before any raise is sent (docs/adr/0042). Side effects:
Cassandra, gRPC to device-model, Kafka."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_smart_charging.domain.events import IDEMPOTENCY_PREFIX, PROFILE_COMMANDS, requested
from csms_smart_charging.ports import RequestKeys, SmartChargingEventPublisher, StationCommands

MAX_REQUEST_KEY = 150

Origin: TypeAlias = smart_charging_pb2.RequestOrigin.ValueType


class KeyConflict(ValueError):
    """The request key was used for another request of the station; the message names it."""


@dataclass(frozen=True, slots=True)
class ProfileAnswer:
    """A request and device-model's command for it: with `wait`, finished (answered or failed)."""

    request: smart_charging_pb2.ProfileRequested
    command: device_model_pb2.Command

    @property
    def answered(self) -> bool:
        """The station answered (a CALLRESULT or a CALLERROR); else it failed or is not finished."""
        return self.command.state == device_model_pb2.COMMAND_STATE_ANSWERED

    @property
    def accepted(self) -> bool:
        """The station answered with status Accepted (device-model's neutral answer: `{"status": "accepted"}`)."""
        if self.command.state != device_model_pb2.COMMAND_STATE_ANSWERED:
            return False
        try:
            result = json.loads(self.command.result_json or "{}")
        except ValueError:
            return False
        return isinstance(result, dict) and result.get("status") == "accepted"


class ProfileRequests:
    def __init__(
        self,
        keys: RequestKeys,
        commands: StationCommands,
        events: SmartChargingEventPublisher,
        clock: Callable[[], datetime],
        command_expiry: timedelta,
        answer_timeout_s: float,
    ) -> None:
        self._keys = keys
        self._commands = commands
        self._events = events
        self._clock = clock
        self._command_expiry = command_expiry
        self._answer_timeout_s = answer_timeout_s

    async def request(
        self,
        station_id: str,
        command: str,
        params: Mapping[str, Any],
        *,
        origin: Origin,
        queue_if_offline: bool = False,
        expires_at: datetime | None = None,
        request_key: str = "",
    ) -> smart_charging_pb2.ProfileRequested:
        """The request as recorded. Raises KeyConflict, CommandRefused (device-model's refusal: bad params, unknown
        or offline station, a version that cannot express it) or EventLogUnavailable."""
        answer = await self._request(
            station_id,
            command,
            params,
            origin=origin,
            queue_if_offline=queue_if_offline,
            expires_at=expires_at,
            request_key=request_key,
            wait=False,
        )
        return answer.request

    async def _request(
        self,
        station_id: str,
        command: str,
        params: Mapping[str, Any],
        *,
        origin: Origin,
        queue_if_offline: bool,
        expires_at: datetime | None,
        request_key: str,
        wait: bool,
    ) -> ProfileAnswer:
        if command not in PROFILE_COMMANDS:
            raise ValueError(f"not a profile command: {command}")
        key = request_key or str(uuid.uuid4())
        claimed_command, claimed = await self._keys.claim(station_id, key, command, params)
        if claimed_command != command or claimed != json.loads(json.dumps(dict(params))):
            raise KeyConflict(
                f"request key {key!r} of station {station_id} was used for another request "
                f"({claimed_command} {json.dumps(claimed, sort_keys=True)})"
            )
        if queue_if_offline and expires_at is None:
            expires_at = self._clock() + self._command_expiry
        recorded = await self._commands.send(
            station_id,
            command,
            claimed,
            idempotency_key=IDEMPOTENCY_PREFIX + key,
            queue_if_offline=queue_if_offline,
            expires_at=expires_at if queue_if_offline else None,
            wait_s=self._answer_timeout_s if wait else None,
        )
        request = smart_charging_pb2.ProfileRequested(
            request_key=key,
            command=command,
            command_id=recorded.command_id,
            params_json=recorded.params_json,
            origin=origin,
            queued_if_offline=queue_if_offline,
        )
        at = to_datetime(recorded.created_at) if recorded.HasField("created_at") else self._clock()
        await self._events.publish([requested(station_id, request, at)])
        return ProfileAnswer(request, recorded)

    async def reinstall(
        self, station_id: str, profile: smart_charging_pb2.InstalledProfile, *, request_key: str
    ) -> smart_charging_pb2.ProfileRequested:
        """Sets an installed profile again (after a boot), queued if the station went offline meanwhile."""
        answer = await self.set_profile(
            station_id,
            profile.evse_id,
            json.loads(profile.profile_json),
            request_key=request_key,
            origin=smart_charging_pb2.REQUEST_ORIGIN_REINSTALL,
            queue_if_offline=True,
        )
        return answer.request

    async def set_profile(
        self,
        station_id: str,
        evse_id: int,
        profile: Mapping[str, Any],
        *,
        request_key: str,
        origin: Origin = smart_charging_pb2.REQUEST_ORIGIN_LOAD,
        queue_if_offline: bool = False,
        wait: bool = False,
    ) -> ProfileAnswer:
        """Installs `profile` (set-charging-profile's neutral "profile") on the EVSE (0: the station) once per
        `request_key` (e.g. `tx-profile:<site>:<allocation seq>:<station>:<evse>`). With `wait`, returns once the
        station answered (`accepted`) or the command failed; a repeat waits for the first command's outcome."""
        return await self._request(
            station_id,
            "set-charging-profile",
            {"evse_id": evse_id, "profile": dict(profile)},
            origin=origin,
            queue_if_offline=queue_if_offline,
            expires_at=None,
            request_key=request_key,
            wait=wait,
        )
