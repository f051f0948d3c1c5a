"""2.x ClearedChargingLimit: answered {} and recorded as sent."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.smart_charging import Csms
from unit.smart_charging.ocpp.cases import IDS, VERSIONS


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_recorded_as_sent(version: OcppVersion) -> None:
    payload = {"chargingLimitSource": "EMS", "evseId": 1}
    report = await Csms(version).report("ClearedChargingLimit", payload)
    assert (report.action, report.evse_id) == ("ClearedChargingLimit", 1)
    assert json.loads(report.payload_json) == payload
