"""Reinstall after a boot: a station that boots (answered Accepted) may have lost its profiles (a reset to factory
settings, a controller swap; OCPP asks stations to keep them, not all do). After the profile view projector wrote a
batch, every station of the batch that booted gets again, through device-model, each ChargingStationMaxProfile,
TxDefaultProfile and ChargingStationExternalConstraints profile the CSMS set and the station accepted (TxProfiles
end with their transaction, which a reboot ended). Setting a profile the station still has replaces it with
itself, so the reinstall needs no question first.

Exactly once per boot and profile: the request key is `reinstall:<boot event id>:<evse>:<profile id>`, so a batch
applied again (after a crash) re-sends nothing. Device-model unreachable is retried with the batch
(RetryableError); a refusal that will not pass (unknown station, params it cannot send) is logged and skipped.
Never during a rebuild (policies do not run then). Side effects: reads the view (Cassandra), ProfileRequests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_smart_charging.app.profiles import ProfileRequests
from csms_smart_charging.domain.events import derived_id
from csms_smart_charging.domain.view import station_view
from csms_smart_charging.ports import StationEvents

log = logging.getLogger(__name__)

ACCEPTED = "Accepted"


def booted(events: Sequence[Message]) -> list[device_model_pb2.DeviceModelEvent]:
    """The batch's boots answered Accepted, in order."""
    return [
        event
        for event in events
        if isinstance(event, device_model_pb2.DeviceModelEvent)
        and event.WhichOneof("event") == "station_booted"
        and event.station_booted.registration_status == ACCEPTED
    ]


class ReinstallAfterBoot:
    def __init__(self, events: StationEvents, requests: ProfileRequests) -> None:
        self._events = events
        self._requests = requests

    async def after_writes(self, events: Sequence[Message], state: None) -> None:
        boots = booted(events)
        # read together (a boot storm's batch: one request per hundred stations), reinstalled in order
        histories = await asyncio.gather(*(self._events.events(boot.station_id) for boot in boots))
        for boot, history in zip(boots, histories, strict=True):
            boot_id = derived_id("boot", boot.station_id, boot.message_id)
            for profile in station_view(boot.station_id, history).to_reinstall():
                await self._reinstall(boot.station_id, boot_id, profile)

    async def _reinstall(self, station_id: str, boot_id: str, profile: smart_charging_pb2.InstalledProfile) -> None:
        try:
            await self._requests.reinstall(
                station_id, profile, request_key=f"reinstall:{boot_id}:{profile.evse_id}:{profile.profile_id}"
            )
        except (EventLogUnavailable, CommandRefused) as exc:
            if isinstance(exc, CommandRefused) and not exc.retryable:
                log.warning("profile %s of %s not reinstalled: %s", profile.profile_id, station_id, exc)
                return
            raise RetryableError(f"reinstalling profile {profile.profile_id} of {station_id}: {exc}") from exc
