"""Test data for firmware unit tests: a fixed clock, and calls through the router of the wired service (over
in-memory fakes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from csms.firmware.v1 import firmware_pb2
from csms_firmware.bootstrap import build
from csms_firmware.settings import FirmwareSettings
from csms_kernel.handling.router import Answer, CallInfo, Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.fakes.firmware import InMemoryRequestKeys, ListedHistory, PublishedEvents, RecordingCommands

NOW = datetime(2026, 12, 6, 12, 0, 0, 250000, tzinfo=UTC)
STATION = "CS-1"
SETTINGS = FirmwareSettings()


@dataclass
class Csms:
    """The firmware handlers behind the real router, over in-memory ports."""

    version: OcppVersion

    async def send(
        self,
        action: str,
        payload: dict[str, Any],
        message_id: str = "msg-1",
        station_id: str = STATION,
        connection_id: str = "conn-1",
        at: datetime = NOW,
    ) -> Answer:
        call = CallInfo(station_id, "default", self.version, message_id, action, at, "edge-1", connection_id)
        return await self.router().dispatch(call, Frame(MessageType.CALL, message_id, action, payload))

    def router(self) -> Router[Any]:
        service = build(
            SETTINGS,
            commands=RecordingCommands(NOW),
            events=PublishedEvents(),
            history=ListedHistory(),
            keys=InMemoryRequestKeys(),
        )
        assert service.router is not None
        return service.router

    async def report(self, action: str, payload: dict[str, Any], **kw: Any) -> firmware_pb2.FirmwareEvent:
        """The one event recorded for the notification (fails unless answered with an empty CALLRESULT)."""
        answer = await self.send(action, payload, **kw)
        assert (answer.is_error, json.loads(answer.frame)[2]) == (False, {}), answer.frame
        [event] = answer.events
        assert isinstance(event, firmware_pb2.FirmwareEvent)
        return event
