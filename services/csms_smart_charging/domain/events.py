"""The smart-charging service's events (`SmartChargingEvent`, csms.smart_charging.events.v1, key = station id)
and their deterministic ids: the same request handed over again, or the same CALL handled again, makes the same
event, so the read model stores it once. Pure, no I/O."""

from __future__ import annotations

import uuid
from datetime import datetime

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.topics import SMART_CHARGING_EVENTS

TOPIC = SMART_CHARGING_EVENTS
IDEMPOTENCY_PREFIX = "smart-charging:"
"""Device-model's idempotency key of a request's command is this prefix and the request key."""

PROFILE_COMMANDS = frozenset(
    {"set-charging-profile", "clear-charging-profile", "get-composite-schedule", "get-charging-profiles"}
)
"""The device-model commands whose requests and outcomes make up a station's profile view."""

COMMAND_KEY_PREFIX = "command:"
"""The request key of a request seen only as a device-model command (sent as a plain operator command)."""

_NAMESPACE = uuid.UUID("5d2a7e0c-8b3f-4c61-a9d4-2f6e1b7c9a05")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x00".join(parts)))


def requested(
    station_id: str, request: smart_charging_pb2.ProfileRequested, at: datetime
) -> smart_charging_pb2.SmartChargingEvent:
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id("requested", station_id, request.request_key),
        station_id=station_id,
        recorded_at=timestamp(at),
        requested=request,
    )


def reported(
    station_id: str, connection_id: str, report: smart_charging_pb2.StationReported, at: datetime
) -> smart_charging_pb2.SmartChargingEvent:
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id("reported", station_id, connection_id, report.message_id),
        station_id=station_id,
        recorded_at=timestamp(at),
        reported=report,
    )
