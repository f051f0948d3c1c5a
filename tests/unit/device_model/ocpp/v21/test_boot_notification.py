"""BootNotification (2.1): the cases of `boot_notification_cases` with the v21 handler, and a 2.1 payload
through the 2.1 routing table."""

from __future__ import annotations

import json

import pytest
from ocpp.v21 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.routing import TABLES
from csms_device_model.ocpp.v21 import boot_notification
from csms_kernel.handling.router import Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW_ISO, expected_event, make_context
from unit.device_model.ocpp.actions import Action
from unit.device_model.ocpp.boot_notification_cases import (  # noqa: F401 (collected here)
    test_a_rejected_station_is_answered_rejected_with_the_retry_interval,
    test_a_station_set_pending_is_answered_pending_with_the_retry_interval,
    test_accepts_and_records_the_boot,
    test_new_stations_get_the_default_policy_and_an_accepted_one_is_accepted,
)


@pytest.fixture
def action() -> Action:
    return Action(OcppVersion.V21, call, call_result, boot_notification)


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
