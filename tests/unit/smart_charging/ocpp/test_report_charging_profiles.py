"""2.x ReportChargingProfiles: answered {} and recorded with its requestId and EVSE (one report per EVSE; tbc:
more follow)."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.smart_charging import Csms
from unit.smart_charging.ocpp.cases import IDS, PROFILE, VERSIONS


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_recorded_with_its_request_id(version: OcppVersion) -> None:
    payload = {"requestId": 4242, "chargingLimitSource": "CSO", "evseId": 1, "tbc": True, "chargingProfile": [PROFILE]}
    report = await Csms(version).report("ReportChargingProfiles", payload)
    assert (report.action, report.evse_id, report.ocpp_request_id) == ("ReportChargingProfiles", 1, 4242)
    assert json.loads(report.payload_json) == payload


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
async def test_a_report_without_profiles_is_refused(version: OcppVersion) -> None:
    answer = await Csms(version).send(
        "ReportChargingProfiles", {"requestId": 1, "chargingLimitSource": "CSO", "evseId": 1}
    )
    assert answer.is_error and answer.events == []
