"""OCPP 2.0.1 SecurityEventNotification: the station's security event is recorded."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_security.ocpp.context import SecurityContext
from csms_security.ocpp.security_events import record


async def handle(
    ctx: SecurityContext, request: call.SecurityEventNotification
) -> call_result.SecurityEventNotification:
    record(ctx, request.type, request.timestamp, request.tech_info)
    return call_result.SecurityEventNotification()
