"""2.1 BootNotification through the 2.1 routing table: the 2.1 schemas and types, the shared 2.x handling."""

from __future__ import annotations

import json

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.routing import TABLES
from csms_kernel.handling.router import Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW_ISO, expected_event, make_context


async def test_boot_answered_with_21_payload_and_event() -> None:
    ctx = make_context(OcppVersion.V21)
    router = Router(TABLES, lambda call, emitted: ctx)
    payload = {"chargingStation": {"vendorName": "ACME", "model": "DC-21"}, "reason": "FirmwareUpdate"}
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "BootNotification", payload))
    assert json.loads(answer.frame) == [3, "msg-1", {"currentTime": NOW_ISO, "interval": 300, "status": "Accepted"}]
    booted = device_model_pb2.StationBooted(
        vendor="ACME", model="DC-21", reason="FirmwareUpdate", registration_status="Accepted"
    )
    assert ctx.emitted.events == [expected_event(OcppVersion.V21, station_booted=booted)]
