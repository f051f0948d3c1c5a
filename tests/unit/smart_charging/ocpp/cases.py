"""Payloads of the 2.x smart-charging messages valid in both 2.0.1 and 2.1, for the handler tests."""

from __future__ import annotations

from typing import Any

from csms_kernel.ocpp.versions import OcppVersion

VERSIONS = [OcppVersion.V201, OcppVersion.V21]
IDS = [v.subprotocol for v in VERSIONS]

SCHEDULE: dict[str, Any] = {
    "id": 1,
    "chargingRateUnit": "A",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}, {"startPeriod": 900, "limit": 8.0}],
}
PROFILE: dict[str, Any] = {
    "id": 7,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [SCHEDULE],
}
