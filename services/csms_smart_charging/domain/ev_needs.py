"""The TxProfile that answers an EV's charging needs (2.x NotifyEVChargingNeeds, ISO 15118): one period from the
start of the schedule to the EV's departure (or open-ended), at the most the EV can take: AC, its maximum current
per phase (A), capped by the station's ChargingStationMaxProfile limit in A when one is installed; DC, its maximum
power (W), or its maximum current times its maximum voltage. Load management (ADR 0042) lowers it further for a
site. Pure; no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.timestamps import ocpp_datetime, parse_ocpp_datetime

STACK_LEVEL = 0
"""The EV-needs TxProfile's stack level: load management's TxProfiles (ADR 0042) stack above it."""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _departure_s(needs: dict[str, Any], now: datetime) -> int | None:
    text = needs.get("departureTime")
    if not isinstance(text, str):
        return None
    try:
        seconds = int((parse_ocpp_datetime(text) - now).total_seconds())
    except OcppCallError:
        return None
    return seconds if seconds > 0 else None


def limit_for(needs: dict[str, Any], station_max_a: float | None) -> tuple[str, float] | None:
    """The rate unit and limit the needs allow (None: the needs name no maximum)."""
    ac = needs.get("acChargingParameters")
    if isinstance(ac, dict) and (current := _number(ac.get("evMaxCurrent"))) is not None:
        return "A", current if station_max_a is None else min(current, station_max_a)
    dc = needs.get("dcChargingParameters")
    if isinstance(dc, dict):
        power = _number(dc.get("evMaxPower"))
        current, voltage = _number(dc.get("evMaxCurrent")), _number(dc.get("evMaxVoltage"))
        if power is None and current is not None and voltage is not None:
            power = current * voltage
        if power is not None:
            return "W", power
    return None


def tx_profile(
    payload: dict[str, Any], transaction_id: str, profile_id: int, station_max_a: float | None, now: datetime
) -> dict[str, Any] | None:
    """set-charging-profile's neutral profile for the NotifyEVChargingNeeds payload, or None when it names no
    maximum the CSMS could schedule."""
    needs = payload.get("chargingNeeds")
    if not isinstance(needs, dict):
        return None
    found = limit_for(needs, station_max_a)
    if found is None:
        return None
    unit, limit = found
    schedule: dict[str, Any] = {
        "id": 1,
        "start_schedule": ocpp_datetime(now),
        "charging_rate_unit": unit,
        "periods": [{"start_period": 0, "limit": limit}],
    }
    duration = _departure_s(needs, now)
    if duration is not None:
        schedule["duration"] = duration
    return {
        "id": profile_id,
        "stack_level": STACK_LEVEL,
        "purpose": "TxProfile",
        "kind": "Absolute",
        "transaction_id": transaction_id,
        "schedules": [schedule],
    }
