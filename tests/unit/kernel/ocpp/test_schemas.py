"""Schema validation: the official schemas of each version, mapped to the version's error kinds."""

from __future__ import annotations

from typing import Any

import pytest

from csms_kernel.ocpp.errors import ErrorKind, OcppCallError
from csms_kernel.ocpp.schemas import MessageKind, _compiled, action_exists, known_actions, schema_names, validate
from csms_kernel.ocpp.versions import OcppVersion

BOOT_201 = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}


def test_every_version_has_its_schemas() -> None:
    assert action_exists(OcppVersion.V16, "StartTransaction")
    assert not action_exists(OcppVersion.V201, "StartTransaction")
    assert action_exists(OcppVersion.V21, "BatterySwap")
    assert not action_exists(OcppVersion.V21, "../v16/BootNotification")


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"reason": "PowerUp"}, ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION),
        ({**BOOT_201, "reason": 5}, ErrorKind.TYPE_CONSTRAINT_VIOLATION),
        ({**BOOT_201, "reason": "Because"}, ErrorKind.PROPERTY_CONSTRAINT_VIOLATION),
        ({**BOOT_201, "extra": 1}, ErrorKind.FORMAT_VIOLATION),
        (
            {"chargingStation": {"model": "M" * 21, "vendorName": "V"}, "reason": "PowerUp"},
            ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        ),
    ],
)
def test_violations(payload: dict[str, Any], kind: ErrorKind) -> None:
    with pytest.raises(OcppCallError) as raised:
        validate(OcppVersion.V201, "BootNotification", MessageKind.REQUEST, payload)
    assert raised.value.kind is kind


def test_valid_payload_passes() -> None:
    validate(OcppVersion.V201, "BootNotification", MessageKind.REQUEST, BOOT_201)
    validate(
        OcppVersion.V16,
        "SetChargingProfile",
        MessageKind.REQUEST,
        {
            "connectorId": 1,
            "csChargingProfiles": {
                "chargingProfileId": 1,
                "stackLevel": 0,
                "chargingProfilePurpose": "TxDefaultProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 21.4}],
                },
            },
        },
    )


def test_unknown_actions_are_not_cached() -> None:
    """Finding #3 of the 2026-12 security review: station-chosen action names must not grow the cache."""
    validate(OcppVersion.V201, "Heartbeat", MessageKind.REQUEST, {})
    before = _compiled.cache_info().currsize
    for n in range(10_000):
        assert not action_exists(OcppVersion.V201, f"Bogus{n}")
    assert _compiled.cache_info().currsize == before


@pytest.mark.parametrize("action", ["A" * 60_000, "AuthorizeResponse", "NotifyPeriodicEventStream", "a/b", ""])
def test_only_known_call_actions_exist(action: str) -> None:
    assert not action_exists(OcppVersion.V21, action)
    with pytest.raises(OcppCallError) as raised:
        validate(OcppVersion.V21, action, MessageKind.REQUEST, {})
    assert raised.value.kind is ErrorKind.NOT_IMPLEMENTED


def test_known_actions_are_the_request_schemas() -> None:
    assert "BootNotification" in known_actions(OcppVersion.V16)
    assert "NotifyPeriodicEventStream" not in known_actions(OcppVersion.V21)
    assert known_actions(OcppVersion.V21) <= schema_names(OcppVersion.V21)
