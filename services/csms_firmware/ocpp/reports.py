"""A station's status notification (firmware, log, diagnostics, publish; every version), recorded as sent: one
`StatusReported` event, whether or not it names a request the CSMS knows (an unknown one is kept and shown as
unmatched, never dropped). No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import status_reported
from csms_firmware.ocpp.context import FirmwareContext
from csms_kernel.infra.envelopes import version_to_proto

FIRMWARE = firmware_pb2.REPORT_KIND_FIRMWARE
LOG = firmware_pb2.REPORT_KIND_LOG
DIAGNOSTICS = firmware_pb2.REPORT_KIND_DIAGNOSTICS
PUBLISH = firmware_pb2.REPORT_KIND_PUBLISH

IDLE = "Idle"


def text(value: Any) -> str:
    """An OCPP enum value as sent (a plain string, or the `ocpp` package's enum)."""
    return str(getattr(value, "value", value))


def record(
    ctx: FirmwareContext,
    kind: firmware_pb2.ReportKind.ValueType,
    status: Any,
    *,
    request_id: int | None = None,
    of_latest_request: bool = False,
    status_info: Mapping[str, Any] | None = None,
    locations: Sequence[str] = (),
) -> None:
    """Emits the report. `of_latest_request`: the notification has no requestId and belongs to the station's
    latest request of the kind (1.6 FirmwareStatusNotification / DiagnosticsStatusNotification), unless Idle."""
    call = ctx.call
    status_text = text(status)
    info = status_info or {}
    report = firmware_pb2.StatusReported(
        kind=kind,
        action=call.action,
        status=status_text,
        has_request_id=request_id is not None,
        ocpp_request_id=request_id or 0,
        belongs_to_latest=of_latest_request and status_text != IDLE,
        reason_code=str(info.get("reason_code") or ""),
        additional_info=str(info.get("additional_info") or ""),
        locations=list(locations),
        ocpp_version=version_to_proto(call.ocpp_version),
        message_id=call.message_id,
    )
    ctx.emit(status_reported(call.station_id, call.connection_id, report, ctx.now))
