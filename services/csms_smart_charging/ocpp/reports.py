"""A 2.x station's smart-charging message (NotifyChargingLimit, ClearedChargingLimit, NotifyEVChargingNeeds,
NotifyEVChargingSchedule, ReportChargingProfiles), recorded as sent: one `StationReported` event with the
payload, its evseId and requestId. No I/O."""

from __future__ import annotations

import json
from typing import Any

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.payloads import to_payload
from csms_smart_charging.domain.events import reported
from csms_smart_charging.ocpp.context import SmartChargingContext


def record(ctx: SmartChargingContext, request: Any) -> None:
    """Emits the report of the `ocpp` call dataclass `request`."""
    call = ctx.call
    report = smart_charging_pb2.StationReported(
        action=call.action,
        payload_json=json.dumps(to_payload(request), sort_keys=True),
        evse_id=getattr(request, "evse_id", None) or 0,
        ocpp_request_id=getattr(request, "request_id", None) or 0,
        ocpp_version=version_to_proto(call.ocpp_version),
        message_id=call.message_id,
    )
    ctx.emit(reported(call.station_id, call.connection_id, report, ctx.now))
