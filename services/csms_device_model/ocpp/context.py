"""What every device-model OCPP handler receives: the call, its clock, settings, the DataTransfer vendor registry,
and where events go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.vendors import VendorRegistry
from csms_kernel.handling.router import CallInfo, Emitted
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.timestamps import ocpp_datetime


@dataclass(frozen=True)
class DeviceModelContext:
    call: CallInfo
    emitted: Emitted
    heartbeat_interval_s: int
    # DataTransfer vendor handlers (docs/adr/0034); pure functions, so they keep handler reads owner-only
    vendors: VendorRegistry = field(default_factory=VendorRegistry)

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    def now_iso(self) -> str:
        return ocpp_datetime(self.now)

    def emit(self, event: device_model_pb2.DeviceModelEvent) -> None:
        event.station_id = self.call.station_id
        event.ocpp_version = version_to_proto(self.call.ocpp_version)
        event.message_id = self.call.message_id
        event.occurred_at.CopyFrom(timestamp(self.now))
        self.emitted.emit(event)
