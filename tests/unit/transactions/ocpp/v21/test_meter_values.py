"""2.1 MeterValues through the 2.1 routing table (handled as in 2.0.1)."""

from __future__ import annotations

from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.transactions import Csms

VERSION = OcppVersion.V21


async def test_reports_the_samples_of_the_evse() -> None:
    csms = Csms(VERSION)
    payload = {
        "evseId": 2,
        "meterValue": [
            {"timestamp": "2026-11-21T10:00:00Z", "sampledValue": [{"value": 3.2, "measurand": "Current.Import"}]}
        ],
    }
    assert await csms.result("MeterValues", payload) == {}
    [event] = (await csms.send("MeterValues", payload)).events
    reported = event.meter_values_reported
    assert reported.evse_id == 2 and [(s.measurand, s.value) for s in reported.meter_values] == [
        ("Current.Import", 3.2)
    ]
