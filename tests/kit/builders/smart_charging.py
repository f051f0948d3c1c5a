"""Test data for smart-charging unit tests: a fixed clock, and calls through the router of the wired service
(over in-memory fakes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.handling.router import Answer, CallInfo, Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from csms_smart_charging.bootstrap import build
from csms_smart_charging.settings import SmartChargingSettings
from kit.fakes.smart_charging import ActiveOn, InMemoryRequestKeys, ListedEvents, PublishedEvents, RecordingCommands

NOW = datetime(2026, 12, 6, 12, 0, 0, 250000, tzinfo=UTC)
STATION = "CS-1"
SETTINGS = SmartChargingSettings()


@dataclass
class Csms:
    """The smart-charging handlers behind the real router, over in-memory ports."""

    version: OcppVersion

    async def send(self, action: str, payload: dict[str, Any], message_id: str = "msg-1") -> Answer:
        call = CallInfo(STATION, "default", self.version, message_id, action, NOW, "edge-1", "conn-1")
        return await self.router().dispatch(call, Frame(MessageType.CALL, message_id, action, payload))

    def router(self) -> Router[Any]:
        service = build(
            SETTINGS,
            commands=RecordingCommands(NOW),
            events=PublishedEvents(),
            station_events=ListedEvents(),
            keys=InMemoryRequestKeys(),
            transactions=ActiveOn(),
        )
        assert service.router is not None
        return service.router

    async def report(
        self, action: str, payload: dict[str, Any], answer: dict[str, Any] | None = None
    ) -> smart_charging_pb2.StationReported:
        """The one report recorded for the message (fails unless answered with `answer`, default {})."""
        replied = await self.send(action, payload)
        assert (replied.is_error, json.loads(replied.frame)[2]) == (False, answer or {}), replied.frame
        [event] = replied.events
        assert isinstance(event, smart_charging_pb2.SmartChargingEvent)
        assert (event.station_id, event.recorded_at.ToDatetime(tzinfo=UTC)) == (STATION, NOW)
        return event.reported
