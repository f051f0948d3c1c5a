"""SecurityEventNotification, shared by the versions (1.6 security whitepaper, 2.0.1 and 2.1 carry the same
type, timestamp and techInfo): the event is recorded as the station sent it. No I/O."""

from __future__ import annotations

from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_security.domain.events import station_event
from csms_security.ocpp.context import SecurityContext


def record(ctx: SecurityContext, event_type: str, station_timestamp: str, tech_info: str | None) -> None:
    """Emits the station's event (its id derived from the CALL, so a redelivery stores it once)."""
    call = ctx.call
    ctx.emit(
        station_event(
            station_id=call.station_id,
            connection_id=call.connection_id,
            message_id=call.message_id,
            ocpp_version=call.ocpp_version,
            event_type=event_type,
            tech_info=tech_info or "",
            occurred_at=parse_ocpp_datetime(station_timestamp),
            recorded_at=ctx.now,
        )
    )
