"""What every firmware OCPP handler receives: the call and where its events go. Handlers read nothing: a status
notification is recorded as sent and matched to its request when the history is read (domain/history.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.firmware.v1 import firmware_pb2
from csms_kernel.handling.router import CallInfo, Emitted


@dataclass(frozen=True)
class FirmwareContext:
    call: CallInfo
    emitted: Emitted

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    def emit(self, event: firmware_pb2.FirmwareEvent) -> None:
        self.emitted.emit(event)
