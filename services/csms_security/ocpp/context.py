"""What every security OCPP handler receives: the call, where its requests and events go, and which certificate
types the CSMS can sign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.security.v1 import security_pb2
from csms_kernel.handling.router import CallInfo, Emitted
from csms_security.ports import SigningRequests


@dataclass(frozen=True)
class SecurityContext:
    call: CallInfo
    emitted: Emitted
    requests: SigningRequests
    # OCPP certificate types a CA is configured for (empty: no station CA, every CSR is rejected).
    signable_types: frozenset[str]

    @property
    def now(self) -> datetime:
        """The CSMS time of the call: when the edge received it, so a redelivered frame gets the same answer."""
        return self.call.received_at

    @property
    def station_id(self) -> str:
        return self.call.station_id

    def emit(self, record: security_pb2.SecurityEventRecorded) -> None:
        self.emitted.emit(record)
