"""A simulated station's smart charging on every version: SetChargingProfile / ClearChargingProfile /
GetCompositeSchedule / GetChargingProfiles (+ ReportChargingProfiles) answered schema-valid from the profiles it
keeps, the profiles it rejects, and meter values whose power follows the composite limit."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Behaviour, Mix
from loadtest.simulator.charging_profiles import ChargingProfiles
from loadtest.simulator.composite import Electrical

AT = "2026-12-06T12:00:00.000Z"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
VERSIONS = list(OcppVersion)


class FakeStation:
    def __init__(self, version: OcppVersion) -> None:
        self.version = version
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        validate(self.version, action, MessageKind.REQUEST, payload)
        self.calls.append((action, payload))
        return {}

    async def reboot(self, reason: str) -> None:
        raise AssertionError("no reboot expected")


def neutral_profile(
    id: int,
    limit: float,
    *,
    purpose: str = "TxDefaultProfile",
    stack: int = 0,
    unit: str = "A",
    kind: str = "Absolute",
    transaction_id: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    return {
        "id": id,
        "stack_level": stack,
        "purpose": purpose,
        "kind": kind,
        "transaction_id": transaction_id,
        "unit": unit,
        "limit": limit,
        **more,
    }


def set_request(version: OcppVersion, evse: int, p: dict[str, Any]) -> dict[str, Any]:
    """The version's SetChargingProfile payload of a neutral profile (as the CSMS's modules map it)."""
    schedule: dict[str, Any] = {
        "chargingRateUnit": p["unit"],
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": p["limit"], "numberPhases": 3}],
    }
    if p["kind"] == "Absolute":
        schedule["startSchedule"] = AT
    profile: dict[str, Any] = {
        "stackLevel": p["stack_level"],
        "chargingProfileKind": p["kind"],
        "chargingProfilePurpose": p["purpose"],
    }
    profile |= {key: p[key] for key in ("validFrom", "validTo") if key in p}
    if version is V16:
        if p["purpose"] == "ChargingStationMaxProfile":
            profile["chargingProfilePurpose"] = "ChargePointMaxProfile"
        if p["transaction_id"] is not None:
            profile["transactionId"] = int(p["transaction_id"])
        payload = {
            "connectorId": evse,
            "csChargingProfiles": {"chargingProfileId": p["id"], "chargingSchedule": schedule} | profile,
        }
    else:
        if p["transaction_id"] is not None:
            profile["transactionId"] = p["transaction_id"]
        payload = {
            "evseId": evse,
            "chargingProfile": {"id": p["id"], "chargingSchedule": [{"id": 1} | schedule]} | profile,
        }
    validate(version, "SetChargingProfile", MessageKind.REQUEST, payload)
    return payload


def ask(agent: ChargingProfiles, action: str, payload: dict[str, Any], station: FakeStation | None = None) -> Any:
    validate(agent.version, action, MessageKind.REQUEST, payload)
    answered = agent.answer(action, payload, AT)
    assert answered is not None
    result, start = answered
    validate(agent.version, action, MessageKind.RESPONSE, result)
    if station is not None:
        start(station)
    return result


def install(agent: ChargingProfiles, evse: int, p: dict[str, Any]) -> str:
    status: str = ask(agent, "SetChargingProfile", set_request(agent.version, evse, p))["status"]
    return status


def composite(agent: ChargingProfiles, evse: int, duration: int = 600, unit: str | None = "A") -> dict[str, Any]:
    payload: dict[str, Any] = {"duration": duration} | ({"chargingRateUnit": unit} if unit else {})
    payload |= {"connectorId": evse} if agent.version is V16 else {"evseId": evse}
    result: dict[str, Any] = ask(agent, "GetCompositeSchedule", payload)
    return result


def periods(result: dict[str, Any]) -> list[tuple[int, float]]:
    schedule = result.get("chargingSchedule") or result["schedule"]
    return [(row["startPeriod"], row["limit"]) for row in schedule["chargingSchedulePeriod"]]


@pytest.mark.parametrize("version", VERSIONS)
def test_station_max_and_tx_default_make_the_composite(version: OcppVersion) -> None:
    agent = ChargingProfiles(version)
    assert install(agent, 0, neutral_profile(1, 16, purpose="ChargingStationMaxProfile")) == "Accepted"
    assert install(agent, 0, neutral_profile(2, 10)) == "Accepted"
    assert periods(composite(agent, 1)) == [(0, 10.0)]
    assert install(agent, 1, neutral_profile(3, 20, stack=1)) == "Accepted"
    assert periods(composite(agent, 1)) == [(0, 16.0)]  # the station maximum caps the higher TxDefault
    assert periods(composite(agent, 0)) == [(0, 16.0)]
    assert periods(composite(agent, 1, unit="W")) == [(0, 11040.0)]
    assert agent.version is not V16 or composite(agent, 1)["connectorId"] == 1


@pytest.mark.parametrize("version", VERSIONS)
def test_a_tx_profile_needs_the_running_transaction_and_ends_with_it(version: OcppVersion) -> None:
    agent = ChargingProfiles(version)
    assert install(agent, 1, neutral_profile(1, 8, purpose="TxProfile", transaction_id="42")) == "Rejected"
    agent.session_started(1, "42", NOW)
    assert install(agent, 1, neutral_profile(2, 8, purpose="TxProfile", transaction_id="43")) == "Rejected"
    assert install(agent, 1, neutral_profile(3, 8, purpose="TxProfile", transaction_id="42")) == "Accepted"
    assert periods(composite(agent, 1)) == [(0, 8.0)]
    agent.session_ended(1)
    assert periods(composite(agent, 1)) == [(0, 32.0)]
    assert agent.installed == {}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("evse", "profile", "reason"),
    [
        (1, neutral_profile(1, 16, purpose="ChargingStationMaxProfile"), "StationProfileOnEvse"),
        (2, neutral_profile(1, 16), "UnknownEvse"),
        (1, neutral_profile(1, -3), "InvalidPeriod"),
    ],
)
def test_profiles_the_station_rejects(version: OcppVersion, evse: int, profile: dict[str, Any], reason: str) -> None:
    agent = ChargingProfiles(version)
    result = ask(agent, "SetChargingProfile", set_request(version, evse, profile))  # a one-EVSE station
    assert result["status"] == "Rejected"
    if version is not V16:
        assert result["statusInfo"]["reasonCode"] == reason
    assert agent.installed == {}


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_rejects_external_constraints_and_a_tx_profile_without_transaction(version: OcppVersion) -> None:
    agent = ChargingProfiles(version)
    external = neutral_profile(1, 16, purpose="ChargingStationExternalConstraints")
    assert install(agent, 0, external) == "Rejected"
    agent.session_started(1, "T", NOW)
    assert install(agent, 1, neutral_profile(2, 16, purpose="TxProfile")) == "Rejected"


def test_same_stack_level_and_purpose_replaces_on_16_and_is_refused_on_2x_when_validity_overlaps() -> None:
    v16 = ChargingProfiles(V16)
    assert install(v16, 1, neutral_profile(1, 10, stack=2)) == "Accepted"
    assert install(v16, 1, neutral_profile(2, 6, stack=2)) == "Accepted"
    assert set(v16.installed) == {2}
    v2 = ChargingProfiles(V201)
    assert install(v2, 1, neutral_profile(1, 10, stack=2, validTo="2026-12-06T13:00:00Z")) == "Accepted"
    refused = ask(v2, "SetChargingProfile", set_request(V201, 1, neutral_profile(2, 6, stack=2)))
    assert refused == {"status": "Rejected", "statusInfo": {"reasonCode": "DuplicateProfile"}}
    later = neutral_profile(3, 6, stack=2, validFrom="2026-12-06T13:00:00Z")
    assert install(v2, 1, later) == "Accepted"  # no overlap
    assert install(v2, 1, neutral_profile(1, 12, stack=2, validTo="2026-12-06T13:00:00Z")) == "Accepted"  # same id
    assert set(v2.installed) == {1, 3}


@pytest.mark.parametrize("version", VERSIONS)
def test_clear_by_id_and_by_criteria(version: OcppVersion) -> None:
    agent = ChargingProfiles(version)
    install(agent, 0, neutral_profile(1, 16, purpose="ChargingStationMaxProfile"))
    install(agent, 1, neutral_profile(2, 10, stack=1))
    install(agent, 1, neutral_profile(3, 12, stack=2))
    by_id = {"id": 2} if version is V16 else {"chargingProfileId": 2}
    assert ask(agent, "ClearChargingProfile", by_id)["status"] == "Accepted"
    assert ask(agent, "ClearChargingProfile", by_id)["status"] == "Unknown"
    if version is V16:
        criteria: dict[str, Any] = {"connectorId": 0, "chargingProfilePurpose": "ChargePointMaxProfile"}
    else:
        criteria = {"chargingProfileCriteria": {"evseId": 0, "chargingProfilePurpose": "ChargingStationMaxProfile"}}
    assert ask(agent, "ClearChargingProfile", criteria)["status"] == "Accepted"
    assert set(agent.installed) == {3}
    assert ask(agent, "ClearChargingProfile", {})["status"] == "Accepted"  # everything
    assert agent.installed == {}


@pytest.mark.parametrize("version", [V201, V21])
async def test_get_charging_profiles_reports_them_per_evse(version: OcppVersion) -> None:
    agent, station = ChargingProfiles(version), FakeStation(version)
    install(agent, 0, neutral_profile(1, 16, purpose="ChargingStationMaxProfile"))
    install(agent, 1, neutral_profile(2, 10, stack=1))
    assert ask(agent, "GetChargingProfiles", {"requestId": 5, "chargingProfile": {"stackLevel": 9}}) == {
        "status": "NoProfiles"
    }
    answer = ask(agent, "GetChargingProfiles", {"requestId": 7, "chargingProfile": {}}, station)
    assert answer == {"status": "Accepted"}
    await asyncio.gather(*agent._tasks)
    assert [(a, p["evseId"], p["tbc"], [c["id"] for c in p["chargingProfile"]]) for a, p in station.calls] == [
        ("ReportChargingProfiles", 0, True, [1]),
        ("ReportChargingProfiles", 1, False, [2]),
    ]
    assert {p["requestId"] for _, p in station.calls} == {7}
    only = ask(
        agent, "GetChargingProfiles", {"requestId": 8, "evseId": 1, "chargingProfile": {"chargingProfileId": [2]}}
    )
    assert only == {"status": "Accepted"}
    sources = {"requestId": 9, "chargingProfile": {"chargingLimitSource": ["EMS"]}}
    assert ask(agent, "GetChargingProfiles", sources) == {"status": "NoProfiles"}


def test_16_has_no_get_charging_profiles_and_other_actions_are_not_owned() -> None:
    assert ChargingProfiles(V16).answer("GetChargingProfiles", {"requestId": 1, "chargingProfile": {}}, AT) is None
    assert ChargingProfiles(V201).answer("Reset", {"type": "Immediate"}, AT) is None


@pytest.mark.parametrize("version", VERSIONS)
def test_meter_values_follow_the_composite_limit(version: OcppVersion) -> None:
    agent = ChargingProfiles(version, electrical=Electrical(230.0, 3, 32.0))
    behaviour = Behaviour(
        "SIM-000001", version, "SIMTAG000001", Mix(start_probability=1.0, session_length=50), random.Random(1)
    )
    behaviour.profiles = agent
    behaviour.car_max_current = 20.0
    behaviour.next_message(AT)  # Authorize
    behaviour.next_message(AT)  # session start
    transaction = agent.sessions[1].transaction_id
    powers = []
    for second, limit in ((10, None), (20, 10.0), (30, 0.0)):
        if limit is not None:
            tx = neutral_profile(second, limit, purpose="TxProfile", stack=second, transaction_id=transaction)
            assert install(agent, 1, tx) == "Accepted"
        action, payload = behaviour.next_message(f"2026-12-06T12:00:{second}.000Z")
        validate(version, action, MessageKind.REQUEST, payload)
        samples = {
            (s["measurand"], s.get("phase")): float(s["value"]) for s in payload["meterValue"][0]["sampledValue"]
        }
        powers.append(samples[("Power.Active.Import", None)])
        if limit == 10.0:
            assert samples[("Current.Import", "L1")] == samples[("Current.Import", "L3")] == 10.0
            assert samples[("Current.Offered", None)] == 10.0
    assert powers == [20 * 230 * 3, 10 * 230 * 3, 0.0]  # the car's own maximum, then the limits
    assert behaviour.meter_wh == round(20 * 690 * 10 / 3600 + 10 * 690 * 10 / 3600)


def test_a_single_phase_car_under_a_watt_limit() -> None:
    agent = ChargingProfiles(V201)
    behaviour = Behaviour("SIM-000001", V201, "SIMTAG000001", Mix(start_probability=1.0), random.Random(1))
    behaviour.profiles, behaviour.car_phases = agent, 1
    install(agent, 0, neutral_profile(1, 2300.0, unit="W"))
    behaviour.next_message(AT)
    behaviour.next_message(AT)
    behaviour.next_message(AT)
    assert behaviour.last_draw is not None
    assert (behaviour.last_draw.watts, behaviour.last_draw.amps, behaviour.last_draw.phases) == (2300.0, 10.0, 1)
