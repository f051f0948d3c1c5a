"""2.x NotifyChargingLimit: answered {} and recorded as sent (the external limit with its schedule and EVSE)."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.smart_charging import Csms
from unit.smart_charging.ocpp.cases import IDS, SCHEDULE, VERSIONS


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_recorded_as_sent(version: OcppVersion) -> None:
    payload = {
        "chargingLimit": {"chargingLimitSource": "EMS", "isGridCritical": True},
        "evseId": 2,
        "chargingSchedule": [SCHEDULE],
    }
    report = await Csms(version).report("NotifyChargingLimit", payload)
    assert (report.action, report.evse_id, report.message_id) == ("NotifyChargingLimit", 2, "msg-1")
    assert json.loads(report.payload_json) == payload


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_without_an_evse_it_is_the_station(version: OcppVersion) -> None:
    report = await Csms(version).report("NotifyChargingLimit", {"chargingLimit": {"chargingLimitSource": "SO"}})
    assert report.evse_id == 0


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_a_payload_without_its_limit_is_refused_and_not_recorded(version: OcppVersion) -> None:
    answer = await Csms(version).send("NotifyChargingLimit", {"evseId": 1})
    assert answer.is_error and answer.events == []
