"""The charging profile commands in every version: set-charging-profile (1.6 connector and ChargePointMaxProfile,
one schedule on 1.6/2.0.1, up to 3 on 2.1), clear-charging-profile (1.6 fields, 2.x id or criteria),
get-composite-schedule (the schedule read back as the neutral one), get-charging-profiles (2.x only, with the
request id), and bad params refused naming the field. Every CALL is checked against the version's schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

SCHEDULE = {
    "id": 1,
    "charging_rate_unit": "A",
    "start_schedule": "2026-12-06T10:00:00Z",
    "duration": 3600,
    "periods": [{"start_period": 0, "limit": 16}, {"start_period": 600, "limit": 10.5, "number_phases": 3}],
}
PROFILE = {
    "id": 7,
    "stack_level": 1,
    "purpose": "ChargingStationMaxProfile",
    "kind": "Absolute",
    "schedules": [SCHEDULE],
}
PERIODS = [{"startPeriod": 0, "limit": 16.0}, {"startPeriod": 600, "limit": 10.5, "numberPhases": 3}]


def payloads(version: OcppVersion, command: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.as_json() for c in translate(command, version, params).calls]


def test_16_sets_a_charge_point_max_profile_on_connector_0() -> None:
    assert payloads(V16, "set-charging-profile", {"evse_id": 0, "profile": PROFILE}) == [
        {
            "action": "SetChargingProfile",
            "payload": {
                "connectorId": 0,
                "csChargingProfiles": {
                    "chargingProfileId": 7,
                    "stackLevel": 1,
                    "chargingProfilePurpose": "ChargePointMaxProfile",
                    "chargingProfileKind": "Absolute",
                    "chargingSchedule": {
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": PERIODS,
                        "startSchedule": "2026-12-06T10:00:00.000Z",
                        "duration": 3600,
                    },
                },
            },
        }
    ]


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_sets_the_profile_with_its_schedule_id(version: OcppVersion) -> None:
    tx = {**PROFILE, "purpose": "TxProfile", "transaction_id": "tx-9", "stack_level": 2}
    [call] = payloads(version, "set-charging-profile", {"evse_id": 2, "profile": tx})
    assert call["payload"]["evseId"] == 2
    profile = call["payload"]["chargingProfile"]
    assert (profile["id"], profile["stackLevel"], profile["chargingProfilePurpose"], profile["transactionId"]) == (
        7,
        2,
        "TxProfile",
        "tx-9",
    )
    assert profile["chargingSchedule"][0]["id"] == 1
    assert profile["chargingSchedule"][0]["chargingSchedulePeriod"] == PERIODS


def test_16_tx_profile_carries_an_integer_transaction_id() -> None:
    tx = {**PROFILE, "purpose": "TxProfile", "transaction_id": "42"}
    [call] = payloads(V16, "set-charging-profile", {"evse_id": 1, "profile": tx})
    assert call["payload"]["csChargingProfiles"]["transactionId"] == 42
    with pytest.raises(NotExpressible, match="transactionId is an integer"):
        translate("set-charging-profile", V16, {"evse_id": 1, "profile": {**tx, "transaction_id": "abc"}})


@pytest.mark.parametrize(("version", "allowed"), [(V16, 1), (V201, 1), (V21, 3)])
def test_schedules_per_profile(version: OcppVersion, allowed: int) -> None:
    profile = {**PROFILE, "schedules": [{**SCHEDULE, "id": i} for i in range(allowed)]}
    translate("set-charging-profile", version, {"evse_id": 0, "profile": profile})
    profile = {**PROFILE, "schedules": [{**SCHEDULE, "id": i} for i in range(allowed + 1)]}
    with pytest.raises(NotExpressible, match="schedule"):
        translate("set-charging-profile", version, {"evse_id": 0, "profile": profile})


def test_16_has_no_external_constraints_profile() -> None:
    profile = {**PROFILE, "purpose": "ChargingStationExternalConstraints"}
    with pytest.raises(NotExpressible, match=r"OCPP 1\.6 has no ChargingStationExternalConstraints"):
        translate("set-charging-profile", V16, {"evse_id": 0, "profile": profile})
    translate("set-charging-profile", V201, {"evse_id": 0, "profile": profile})


@pytest.mark.parametrize(
    ("version", "answer", "neutral"),
    [
        (V16, {"status": "NotSupported"}, {"status": "not_supported"}),
        (V16, {"status": "Accepted"}, {"status": "accepted"}),
        (
            V201,
            {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidSchedule"}},
            {"status": "rejected", "status_info": {"reason_code": "InvalidSchedule"}},
        ),
        (V21, {"status": "Accepted"}, {"status": "accepted"}),
    ],
)
def test_the_set_answer(version: OcppVersion, answer: dict[str, Any], neutral: dict[str, Any]) -> None:
    plan = translate("set-charging-profile", version, {"evse_id": 0, "profile": PROFILE})
    assert plan.read([answer]) == neutral


def bad(path: list[str | int], value: Any) -> dict[str, Any]:
    params = {"evse_id": 0, "profile": copy.deepcopy(PROFILE)}
    target: Any = params
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return params


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (bad(["profile", "purpose"], "Max"), "params.profile.purpose: must be one of"),
        (bad(["profile", "id"], None), "params.profile.id: is required"),
        (bad(["profile", "kind"], "Recurring"), "params.profile.recurrency_kind: is required with kind Recurring"),
        (bad(["profile", "schedules"], []), "params.profile.schedules: must be a non-empty list"),
        (bad(["profile", "schedules", 0, "periods", 0, "limit"], -1), r"periods\[0\].limit: must be at least 0"),
        (bad(["profile", "schedules", 0, "periods", 0, "start_period"], 5), "the first period must start at 0"),
        (bad(["profile", "schedules", 0, "periods", 1, "start_period"], 0), "start_period must increase"),
        (bad(["profile", "schedules", 0, "charging_rate_unit"], "kW"), "charging_rate_unit: must be one of A, W"),
        (bad(["profile", "valid_from"], "tomorrow"), "params.profile.valid_from: must be an RFC 3339 date-time"),
        (bad(["profile", "transaction_id"], "t1"), "only a TxProfile names a transaction"),
        (bad(["evse_id"], 2), "a ChargingStationMaxProfile is set on evse_id 0"),
        (bad(["profile", "stack"], 1), "params.profile.stack: unknown parameter"),
    ],
)
def test_bad_profiles_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("set-charging-profile", V201, params)


def test_a_tx_profile_needs_an_evse() -> None:
    with pytest.raises(InvalidParams, match="TxProfile is set on the EVSE"):
        translate("set-charging-profile", V16, {"evse_id": 0, "profile": {**PROFILE, "purpose": "TxProfile"}})


@pytest.mark.parametrize(
    ("version", "params", "payload"),
    [
        (V16, {"id": 7}, {"id": 7}),
        (
            V16,
            {"evse_id": 0, "purpose": "ChargingStationMaxProfile", "stack_level": 1},
            {"connectorId": 0, "chargingProfilePurpose": "ChargePointMaxProfile", "stackLevel": 1},
        ),
        (V201, {"id": 7}, {"chargingProfileId": 7}),
        (
            V21,
            {"evse_id": 1, "purpose": "TxDefaultProfile"},
            {"chargingProfileCriteria": {"evseId": 1, "chargingProfilePurpose": "TxDefaultProfile"}},
        ),
        (V201, {}, {}),
    ],
)
def test_clear(version: OcppVersion, params: dict[str, Any], payload: dict[str, Any]) -> None:
    assert payloads(version, "clear-charging-profile", params) == [
        {"action": "ClearChargingProfile", "payload": payload}
    ]
    assert translate("clear-charging-profile", version, params).read([{"status": "Unknown"}]) == {"status": "unknown"}


@pytest.mark.parametrize(
    ("version", "payload"),
    [
        (V16, {"connectorId": 1, "duration": 600, "chargingRateUnit": "W"}),
        (V201, {"evseId": 1, "duration": 600, "chargingRateUnit": "W"}),
        (V21, {"evseId": 1, "duration": 600, "chargingRateUnit": "W"}),
    ],
)
def test_composite_schedule_request(version: OcppVersion, payload: dict[str, Any]) -> None:
    params = {"evse_id": 1, "duration": 600, "charging_rate_unit": "W"}
    assert payloads(version, "get-composite-schedule", params) == [
        {"action": "GetCompositeSchedule", "payload": payload}
    ]


def test_16_composite_schedule_answer() -> None:
    plan = translate("get-composite-schedule", V16, {"evse_id": 1, "duration": 600})
    answer = {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-12-06T10:00:00Z",
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]},
    }
    assert plan.read([answer]) == {
        "status": "accepted",
        "evse_id": 1,
        "schedule": {
            "start_schedule": "2026-12-06T10:00:00Z",
            "charging_rate_unit": "A",
            "periods": [{"start_period": 0, "limit": 16}],
        },
    }


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_composite_schedule_answer(version: OcppVersion) -> None:
    plan = translate("get-composite-schedule", version, {"evse_id": 1, "duration": 600})
    answer = {
        "status": "Accepted",
        "schedule": {
            "evseId": 1,
            "duration": 600,
            "scheduleStart": "2026-12-06T10:00:00Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16, "numberPhases": 3}],
        },
    }
    assert plan.read([answer]) == {
        "status": "accepted",
        "evse_id": 1,
        "schedule": {
            "start_schedule": "2026-12-06T10:00:00Z",
            "duration": 600,
            "charging_rate_unit": "A",
            "periods": [{"start_period": 0, "limit": 16, "number_phases": 3}],
        },
    }
    assert plan.read([{"status": "Rejected"}]) == {"status": "rejected"}


def test_composite_schedule_params() -> None:
    with pytest.raises(InvalidParams, match=r"params\.duration: is required"):
        translate("get-composite-schedule", V201, {"evse_id": 1})
    with pytest.raises(InvalidParams, match=r"params\.duration: must be at least 1"):
        translate("get-composite-schedule", V201, {"evse_id": 1, "duration": 0})


@pytest.mark.parametrize("version", [V201, V21])
def test_get_charging_profiles_carries_the_request_id(version: OcppVersion) -> None:
    assert takes_request_id("get-charging-profiles")
    params = {"request_id": 99, "evse_id": 1, "purpose": "TxProfile", "ids": [3, 4]}
    assert payloads(version, "get-charging-profiles", params) == [
        {
            "action": "GetChargingProfiles",
            "payload": {
                "requestId": 99,
                "evseId": 1,
                "chargingProfile": {"chargingProfilePurpose": "TxProfile", "chargingProfileId": [3, 4]},
            },
        }
    ]
    plan = translate("get-charging-profiles", version, {"request_id": 99})
    assert plan.read([{"status": "NoProfiles"}]) == {"status": "no_profiles"}


def test_16_cannot_report_profiles() -> None:
    with pytest.raises(NotExpressible, match=r"OCPP 1\.6 cannot report its installed profiles"):
        translate("get-charging-profiles", V16, {"request_id": 1})


def test_get_charging_profiles_ids_are_profile_ids() -> None:
    with pytest.raises(InvalidParams, match=r"params\.ids: must be a list of profile ids"):
        translate("get-charging-profiles", V201, {"request_id": 1, "ids": ["x"]})
