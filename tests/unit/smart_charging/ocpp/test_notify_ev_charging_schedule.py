"""2.x NotifyEVChargingSchedule: answered Accepted and recorded as sent (the EV's chosen schedule)."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.smart_charging import Csms
from unit.smart_charging.ocpp.cases import IDS, SCHEDULE, VERSIONS


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_accepted_and_recorded(version: OcppVersion) -> None:
    payload = {"timeBase": "2026-12-06T12:00:00Z", "evseId": 1, "chargingSchedule": SCHEDULE}
    report = await Csms(version).report("NotifyEVChargingSchedule", payload, {"status": "Accepted"})
    assert (report.action, report.evse_id) == ("NotifyEVChargingSchedule", 1)
    assert json.loads(report.payload_json) == payload
