"""The DataTransfer vendor registry (docs/adr/0034): a station's DataTransfer goes to the handler registered for its
vendorId and messageId. Unknown vendor → UnknownVendorId, known vendor without a handler for the messageId →
UnknownMessageId (OCPP 1.6 §4.3, 2.0.1/2.1 P01/P02). A handler that raises is answered Rejected, with the error
kept for the log, never a crash of the call runner. Pure; no I/O.

A vendor handler is a plain function `VendorRequest -> VendorAnswer`. It runs inside the call runner's exactly-once
batch, so it must be deterministic (same request, same answer: use `received_at`, never the wall clock) and do no
I/O; what it understood goes to the log (`details`), and anything to do afterwards reacts to the
DataTransferReceived event.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csms_kernel.ocpp.versions import OcppVersion


class TransferStatus(enum.Enum):
    """The DataTransferStatus values of every version, neutral."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNKNOWN_VENDOR_ID = "unknown_vendor_id"
    UNKNOWN_MESSAGE_ID = "unknown_message_id"


OCPP_STATUS: dict[TransferStatus, str] = {
    TransferStatus.ACCEPTED: "Accepted",
    TransferStatus.REJECTED: "Rejected",
    TransferStatus.UNKNOWN_VENDOR_ID: "UnknownVendorId",
    TransferStatus.UNKNOWN_MESSAGE_ID: "UnknownMessageId",
}


class DataNotJson(ValueError):
    """The request's data is not the JSON the handler expects."""


@dataclass(frozen=True)
class VendorRequest:
    """A station's DataTransfer: `data` as sent (OCPP 1.6: text or None; 2.x: any JSON value or None)."""

    station_id: str
    ocpp_version: OcppVersion
    vendor_id: str
    message_id: str | None
    data: Any
    received_at: datetime

    def json(self) -> Any:
        """The data as JSON: 1.6 text holding JSON is parsed, a 2.x value is taken as it is. Raises DataNotJson."""
        if isinstance(self.data, str) and self.ocpp_version is OcppVersion.V16:
            try:
                return json.loads(self.data)
            except ValueError as exc:
                raise DataNotJson(f"data is not JSON text: {exc}") from exc
        return self.data


@dataclass(frozen=True)
class VendorAnswer:
    """A handler's answer: Accepted or Rejected (the Unknown* statuses are the registry's), the data to answer
    with (1.6 sends a value that is not text as its JSON text), a reason code for a 2.x statusInfo (at most 20
    characters) and what the handler understood, for the log (a JSON object)."""

    status: TransferStatus
    data: Any = None
    reason_code: str | None = None
    details: Mapping[str, Any] | None = None

    @classmethod
    def accepted(cls, data: Any = None, details: Mapping[str, Any] | None = None) -> VendorAnswer:
        return cls(TransferStatus.ACCEPTED, data, None, details)

    @classmethod
    def rejected(cls, reason_code: str, data: Any = None, details: Mapping[str, Any] | None = None) -> VendorAnswer:
        return cls(TransferStatus.REJECTED, data, reason_code, details)


VendorHandler = Callable[[VendorRequest], VendorAnswer]

NO_MESSAGE_ID = ""
"""The key of the handler of DataTransfers sent without a messageId."""


@dataclass(frozen=True)
class Vendor:
    """One vendor's handlers: its vendorId and, per messageId (NO_MESSAGE_ID for none), the handler."""

    vendor_id: str
    handlers: Mapping[str, VendorHandler]


@dataclass(frozen=True)
class Outcome:
    """What the registry answered: the status, data and reason code for the answer; details and error for the log."""

    status: TransferStatus
    data: Any = None
    reason_code: str | None = None
    details: Mapping[str, Any] | None = None
    error: str | None = None


class DuplicateVendor(ValueError):
    """Two registered vendors have the same vendorId."""


@dataclass(frozen=True)
class VendorRegistry:
    """vendorId → Vendor. vendorId and messageId are compared exactly (both are case-sensitive in OCPP)."""

    vendors: Mapping[str, Vendor] = field(default_factory=dict)

    @classmethod
    def of(cls, vendors: Iterable[Vendor]) -> VendorRegistry:
        found: dict[str, Vendor] = {}
        for vendor in vendors:
            if vendor.vendor_id in found:
                raise DuplicateVendor(f"vendor {vendor.vendor_id!r} is registered twice")
            found[vendor.vendor_id] = vendor
        return cls(found)

    def answer(self, request: VendorRequest) -> Outcome:
        vendor = self.vendors.get(request.vendor_id)
        if vendor is None:
            return Outcome(TransferStatus.UNKNOWN_VENDOR_ID)
        handler = vendor.handlers.get(request.message_id or NO_MESSAGE_ID)
        if handler is None:
            return Outcome(TransferStatus.UNKNOWN_MESSAGE_ID)
        try:
            answer = handler(request)
            if not isinstance(answer, VendorAnswer) or answer.status not in (
                TransferStatus.ACCEPTED,
                TransferStatus.REJECTED,
            ):
                raise TypeError(f"the handler returned {answer!r}, not an Accepted or Rejected VendorAnswer")
        except Exception as exc:  # a vendor handler's bug is answered Rejected, never a crash of the call runner
            return Outcome(TransferStatus.REJECTED, reason_code="InternalError", error=f"{type(exc).__name__}: {exc}")
        return Outcome(answer.status, answer.data, answer.reason_code, answer.details)
