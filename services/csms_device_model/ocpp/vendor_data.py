"""A station's DataTransfer in any version: asks the vendor registry (`domain.vendors`) for the answer and emits
DataTransferReceived with the request, the answer and what the handler made of it, so the log keeps every
DataTransfer (docs/adr/0034). Shared by `v16/`, `v201/` and `v21/data_transfer.py`. No I/O but a log line when a
vendor handler fails."""

from __future__ import annotations

import json
import logging
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.vendors import Outcome, TransferStatus, VendorRequest
from csms_device_model.ocpp.context import DeviceModelContext

log = logging.getLogger(__name__)

REASON_CODE_MAX = 20  # StatusInfoType.reasonCode maxLength (2.0.1, 2.1)


def receive(ctx: DeviceModelContext, vendor_id: str, message_id: str | None, data: Any) -> Outcome:
    request = VendorRequest(ctx.call.station_id, ctx.call.ocpp_version, vendor_id, message_id, data, ctx.now)
    outcome = _answerable(ctx.vendors.answer(request))
    if outcome.error is not None:
        log.warning(
            "data transfer handler of vendor %r message %r failed: %s",
            vendor_id,
            message_id,
            outcome.error,
            extra={"station_id": ctx.call.station_id},
        )
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            data_transfer_received=device_model_pb2.DataTransferReceived(
                vendor_id=vendor_id,
                vendor_message_id=message_id or "",
                data_json=_json(data),
                status=outcome.status.value,
                response_data_json=_json(outcome.data),
                reason_code=outcome.reason_code or "",
                details_json=_json(outcome.details),
                error=outcome.error or "",
            )
        )
    )
    return outcome


def text_data(data: Any) -> str | None:
    """OCPP 1.6 data is text: a value that is not a string goes as its JSON text."""
    if data is None or isinstance(data, str):
        return data
    return json.dumps(data, separators=(",", ":"))


def status_info(outcome: Outcome) -> dict[str, str] | None:
    """The 2.x statusInfo of the answer."""
    return {"reason_code": outcome.reason_code} if outcome.reason_code else None


def _answerable(outcome: Outcome) -> Outcome:
    """The outcome, unless a handler answered data that is not JSON (then Rejected, with the error); reason codes
    cut to what the schema allows."""
    try:
        json.dumps(outcome.data)
        json.dumps(dict(outcome.details or {}))
    except (TypeError, ValueError) as exc:
        return Outcome(TransferStatus.REJECTED, reason_code="InternalError", error=f"answer is not JSON: {exc}")
    if outcome.reason_code and len(outcome.reason_code) > REASON_CODE_MAX:
        return Outcome(outcome.status, outcome.data, outcome.reason_code[:REASON_CODE_MAX], outcome.details)
    return outcome


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, separators=(",", ":"))
