"""What every device-model OCPP handler receives: the call, its clock, settings, the DataTransfer vendor registry,
and where events go; the boot handlers also the boot rules and the one read they make (the station's boot policy,
docs/adr/0031)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.provisioning import BootAnswer, BootPolicy, BootRules
from csms_device_model.domain.vendors import VendorRegistry
from csms_device_model.ports import BootPolicyReader
from csms_kernel.handling.router import CallInfo, Emitted
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.timestamps import ocpp_datetime


class NoBootPolicies:
    """No station has a boot policy of its own: every boot gets the default."""

    async def boot_policy(self, station_id: str) -> BootPolicy | None:
        return None


NO_BOOT_POLICIES = NoBootPolicies()


@dataclass(frozen=True)
class DeviceModelContext:
    call: CallInfo
    emitted: Emitted
    heartbeat_interval_s: int
    # DataTransfer vendor handlers (docs/adr/0034); pure functions, so they keep handler reads owner-only
    vendors: VendorRegistry = field(default_factory=VendorRegistry)
    default_boot_policy: BootPolicy = BootPolicy.ACCEPTED
    boot_retry_interval_s: int = 60
    boot_policies: BootPolicyReader = NO_BOOT_POLICIES

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    def now_iso(self) -> str:
        return ocpp_datetime(self.now)

    async def boot_answer(self) -> BootAnswer:
        """How the calling station's boot is answered: by its boot policy (one read), or the default."""
        rules = BootRules(self.default_boot_policy, self.heartbeat_interval_s, self.boot_retry_interval_s)
        return rules.answer(await self.boot_policies.boot_policy(self.call.station_id))

    def emit(self, event: device_model_pb2.DeviceModelEvent) -> None:
        event.station_id = self.call.station_id
        event.ocpp_version = version_to_proto(self.call.ocpp_version)
        event.message_id = self.call.message_id
        event.occurred_at.CopyFrom(timestamp(self.now))
        self.emitted.emit(event)
