"""The neutral shapes of charging profiles and schedules shared by the profile commands (set-charging-profile,
clear-charging-profile, get-composite-schedule, get-charging-profiles; docs/adr/0041): parsing them from params
and reading a station's schedule back. OCPP names the station-wide maximum ChargePointMaxProfile in 1.6 and
ChargingStationMaxProfile in 2.x; the neutral params use the 2.x names. Pure; no I/O."""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.firmware import date_time
from csms_device_model.domain.commands.params import InvalidParams, Params


class Purpose(enum.Enum):
    CHARGING_STATION_MAX = "ChargingStationMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"
    EXTERNAL_CONSTRAINTS = "ChargingStationExternalConstraints"


class Kind(enum.Enum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(enum.Enum):
    DAILY = "Daily"
    WEEKLY = "Weekly"


class RateUnit(enum.Enum):
    AMPERE = "A"
    WATT = "W"


@dataclass(frozen=True)
class Period:
    start_period: int
    limit: float
    number_phases: int | None = None


@dataclass(frozen=True)
class Schedule:
    id: int
    charging_rate_unit: RateUnit
    periods: tuple[Period, ...]
    start_schedule: str | None = None
    duration: int | None = None
    min_charging_rate: float | None = None


@dataclass(frozen=True)
class Profile:
    id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedules: tuple[Schedule, ...]
    recurrency_kind: Recurrency | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    transaction_id: str | None = None


def number(params: Params, name: str, *, required: bool = False, minimum: float | None = None) -> float | None:
    value = params.value(name, required=required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParams(params.field(name), f"must be a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise InvalidParams(params.field(name), f"must be at least {minimum}, got {value}")
    return float(value)


def _objects(params: Params, name: str) -> list[Params]:
    items = params.items(name, required=True)
    assert items is not None
    return [Params(item, ALLOWED[name], f"{params.field(name)}[{i}]") for i, item in enumerate(items)]


def _period(params: Params) -> Period:
    start = params.integer("start_period", required=True, minimum=0)
    limit = number(params, "limit", required=True, minimum=0)
    assert start is not None and limit is not None
    return Period(start, limit, params.integer("number_phases", minimum=1))


def _schedule(params: Params) -> Schedule:
    schedule_id = params.integer("id", required=True, minimum=0)
    unit = params.choice("charging_rate_unit", RateUnit, required=True)
    assert schedule_id is not None and unit is not None
    periods = tuple(_period(p) for p in _objects(params, "periods"))
    if periods[0].start_period != 0:
        raise InvalidParams(params.field("periods[0].start_period"), "the first period must start at 0")
    if any(a.start_period >= b.start_period for a, b in itertools.pairwise(periods)):
        raise InvalidParams(params.field("periods"), "start_period must increase from one period to the next")
    return Schedule(
        schedule_id,
        unit,
        periods,
        date_time(params, "start_schedule"),
        params.integer("duration", minimum=0),
        number(params, "min_charging_rate", minimum=0),
    )


def parse_profile(raw: Any, where: str) -> Profile:
    params = Params(raw, ALLOWED["profile"], where)
    profile_id = params.integer("id", required=True, minimum=0)
    stack_level = params.integer("stack_level", required=True, minimum=0)
    purpose = params.choice("purpose", Purpose, required=True)
    kind = params.choice("kind", Kind, required=True)
    recurrency = params.choice("recurrency_kind", Recurrency)
    assert profile_id is not None and stack_level is not None and purpose is not None and kind is not None
    if (kind is Kind.RECURRING) != (recurrency is not None):
        raise InvalidParams(params.field("recurrency_kind"), "is required with kind Recurring, and only with it")
    transaction_id = params.text("transaction_id")
    if transaction_id is not None and purpose is not Purpose.TX:
        raise InvalidParams(params.field("transaction_id"), "only a TxProfile names a transaction")
    schedules = tuple(_schedule(s) for s in _objects(params, "schedules"))
    return Profile(
        profile_id,
        stack_level,
        purpose,
        kind,
        schedules,
        recurrency,
        date_time(params, "valid_from"),
        date_time(params, "valid_to"),
        transaction_id,
    )


ALLOWED: dict[str, tuple[str, ...]] = {
    "profile": (
        "id",
        "stack_level",
        "purpose",
        "kind",
        "recurrency_kind",
        "valid_from",
        "valid_to",
        "transaction_id",
        "schedules",
    ),
    "schedules": ("id", "start_schedule", "duration", "charging_rate_unit", "min_charging_rate", "periods"),
    "periods": ("start_period", "limit", "number_phases"),
}


def schedule_payload(schedule: Schedule, *, with_id: bool) -> dict[str, Any]:
    """The OCPP chargingSchedule (snake_case, as the `ocpp` package takes nested objects); 1.6 has no id."""
    payload: dict[str, Any] = {
        "charging_rate_unit": schedule.charging_rate_unit.value,
        "charging_schedule_period": [
            {"start_period": p.start_period, "limit": p.limit, "number_phases": p.number_phases}
            for p in schedule.periods
        ],
        "start_schedule": schedule.start_schedule,
        "duration": schedule.duration,
        "min_charging_rate": schedule.min_charging_rate,
    }
    if with_id:
        payload["id"] = schedule.id
    cleaned: dict[str, Any] = _no_nones(payload)
    return cleaned


def _no_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nones(v) for v in value]
    return value


def schedule_result(schedule: dict[str, Any] | None) -> dict[str, Any] | None:
    """A station's chargingSchedule (1.6 GetCompositeSchedule, 2.x CompositeSchedule; snake_case keys) as the
    neutral schedule: `start_schedule`, `duration`, `charging_rate_unit`, `periods`, `min_charging_rate`."""
    if schedule is None:
        return None
    found = {
        "start_schedule": schedule.get("start_schedule") or schedule.get("schedule_start"),
        "duration": schedule.get("duration"),
        "charging_rate_unit": schedule.get("charging_rate_unit"),
        "periods": [
            _no_nones(
                {
                    "start_period": p.get("start_period"),
                    "limit": p.get("limit"),
                    "number_phases": p.get("number_phases"),
                }
            )
            for p in schedule.get("charging_schedule_period") or []
        ],
        "min_charging_rate": schedule.get("min_charging_rate"),
    }
    return {k: v for k, v in found.items() if v is not None}
