"""2.x NotifyEVChargingNeeds: answered Accepted and recorded as sent (the EV's needs, for the schedule)."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.smart_charging import Csms
from unit.smart_charging.ocpp.cases import IDS, VERSIONS


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_accepted_and_recorded(version: OcppVersion) -> None:
    payload = {
        "evseId": 1,
        "chargingNeeds": {
            "requestedEnergyTransfer": "AC_three_phase",
            "departureTime": "2026-12-06T18:00:00Z",
            "acChargingParameters": {"energyAmount": 20000, "evMinCurrent": 6, "evMaxCurrent": 32, "evMaxVoltage": 400},
        },
    }
    report = await Csms(version).report("NotifyEVChargingNeeds", payload, {"status": "Accepted"})
    assert (report.action, report.evse_id) == ("NotifyEVChargingNeeds", 1)
    assert json.loads(report.payload_json) == payload


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_needs_without_an_evse_are_refused(version: OcppVersion) -> None:
    answer = await Csms(version).send("NotifyEVChargingNeeds", {"chargingNeeds": {"requestedEnergyTransfer": "DC"}})
    assert answer.is_error and answer.events == []
