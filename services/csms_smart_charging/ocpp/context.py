"""What every smart-charging OCPP handler receives: the call and where its events go. Handlers read nothing: a
station's report is recorded as sent and folded into the station's view when read (domain/view.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.handling.router import CallInfo, Emitted


@dataclass(frozen=True)
class SmartChargingContext:
    call: CallInfo
    emitted: Emitted

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    def emit(self, event: smart_charging_pb2.SmartChargingEvent) -> None:
        self.emitted.emit(event)
