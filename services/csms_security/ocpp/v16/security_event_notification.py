"""OCPP 1.6 (security whitepaper) SecurityEventNotification: the station's security event is recorded."""

from __future__ import annotations

from dataclasses import dataclass

from ocpp.v16 import call, call_result

from csms_security.ocpp.context import SecurityContext
from csms_security.ocpp.security_events import record


@dataclass
class SecurityEventNotification(call.SecurityEventNotification):  # type: ignore[misc]  # ocpp is untyped
    """The `ocpp` 1.6 request with techInfo optional, as the whitepaper's schema has it (the package's class
    gives `tech_info` no default, so a notification without techInfo would not build)."""

    tech_info: str | None = None


async def handle(ctx: SecurityContext, request: SecurityEventNotification) -> call_result.SecurityEventNotification:
    record(ctx, request.type, request.timestamp, request.tech_info)
    return call_result.SecurityEventNotification()
