"""Provisioning for operators (docs/adr/0031): read and set a station's boot policy, read its boot history.

Setting a policy with `trigger_boot` asks a connected station to boot again now (TriggerMessage BootNotification,
as an operator command sent in the background) when its last boot answer differs from the new policy — so a
Pending station that is accepted gets Accepted at once instead of at its next retry. A station whose last boot was
Rejected is sent nothing (OCPP 2.0.1 B03.FR.03): it is accepted when it retries its boot. No I/O of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc

from csms.device_model.v1 import device_model_pb2
from csms_device_model.app.operator_commands import NewCommand, OperatorCommands
from csms_device_model.domain.commands.record import CommandRecord
from csms_device_model.domain.provisioning import BootPolicy, parse_policy
from csms_device_model.ports import BootHistory, BootPolicies, StationsRepository
from csms_kernel.clients.station_calls import StationCallError
from csms_kernel.infra.envelopes import timestamp

TRIGGER_COMMAND = "trigger-message"


class InvalidPolicy(StationCallError):
    """A boot policy other than Accepted, Pending, Rejected."""

    default_status = grpc.StatusCode.INVALID_ARGUMENT


class Provisioning:
    def __init__(
        self,
        policies: BootPolicies,
        history: BootHistory,
        stations: StationsRepository,
        commands: OperatorCommands,
        clock: Callable[[], datetime],
        default_policy: BootPolicy,
    ) -> None:
        self._policies = policies
        self._history = history
        self._stations = stations
        self._commands = commands
        self._clock = clock
        self._default = default_policy

    async def get(self, station_id: str) -> device_model_pb2.StationProvisioning:
        found = await self._policies.boot_policy_set_at(station_id)
        provisioning = device_model_pb2.StationProvisioning(
            station_id=station_id, boot_policy=(found[0] if found else self._default).value, explicit=found is not None
        )
        if found is not None:
            provisioning.updated_at.CopyFrom(timestamp(found[1]))
        registration = await self._history.registration(station_id)
        if registration is not None:
            provisioning.registration_status = registration.status
            if registration.booted_at is not None:
                provisioning.booted_at.CopyFrom(timestamp(registration.booted_at))
        return provisioning

    async def set(
        self, station_id: str, policy_name: str, trigger_boot: bool
    ) -> tuple[device_model_pb2.StationProvisioning, CommandRecord | None]:
        """Stores the policy; with `trigger_boot`, the trigger command sent (None when none was due). Raises
        InvalidPolicy."""
        try:
            policy = parse_policy(policy_name)
        except ValueError as exc:
            raise InvalidPolicy(str(exc)) from exc
        await self._policies.set_boot_policy(station_id, policy, self._clock())
        trigger = await self._trigger_boot(station_id, policy) if trigger_boot else None
        return await self.get(station_id), trigger

    async def boots(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.StationBoot], str]:
        """ValueError for a page token not issued here."""
        return await self._history.boots(station_id, page_size, page_token)

    async def _trigger_boot(self, station_id: str, policy: BootPolicy) -> CommandRecord | None:
        presence = await self._stations.presence(station_id)
        if presence is None or not presence.connected:
            return None
        registration = await self._history.registration(station_id)
        status = registration.status if registration is not None else None
        if status in (None, BootPolicy.REJECTED.value, policy.value):
            return None
        trigger = NewCommand(station_id, TRIGGER_COMMAND, {"message": "boot_notification"}, wait=False)
        return await self._commands.send(trigger)
