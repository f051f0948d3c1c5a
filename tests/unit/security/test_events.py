"""Which station security event types are critical (OCPP's security events list, 2.x and 1.6 names)."""

from __future__ import annotations

import pytest

from csms_security.domain.events import is_critical


@pytest.mark.parametrize(
    "event_type",
    [
        "FirmwareUpdated",
        "StartupOfTheDevice",
        "TamperDetectionActivated",
        "InvalidCsmsCertificate",
        "InvalidCentralSystemCertificate",
        "InvalidChargePointCertificate",
        "InvalidTLSVersion",
        "MaintenanceLoginFailed",
    ],
)
def test_critical(event_type: str) -> None:
    assert is_critical(event_type)


@pytest.mark.parametrize(
    "event_type",
    [
        "FailedToAuthenticateAtCsms",
        "FailedToAuthenticateAtCentralSystem",
        "CsmsFailedToAuthenticate",
        "ReconfigurationOfSecurityParameters",
        "InvalidMessages",
        "AttemptedReplayAttacks",
        "VendorSpecificThing",
    ],
)
def test_not_critical(event_type: str) -> None:
    assert not is_critical(event_type)
