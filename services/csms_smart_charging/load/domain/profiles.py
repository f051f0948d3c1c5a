"""The TxProfile that enforces a push: set-charging-profile's neutral params (ADR 0041), one Relative schedule
of one period at the pushed limit in A, on a fixed id and stack level per EVSE so each push replaces the last.
The request key names the site, the allocation and the EVSE, so a retried allocation never sends twice. Also
the TxDefaultProfile each EVSE of a site gets at the site's idle limit. Pure."""

from __future__ import annotations

from typing import Any

from csms_smart_charging.load.domain.pushes import Push

PROFILE_ID_BASE = 1_000_000
TX_DEFAULT_ID_BASE = 1_100_000


def profile_id(evse_id: int) -> int:
    return PROFILE_ID_BASE + evse_id


def tx_profile(push: Push, transaction_id: str, stack_level: int) -> dict[str, Any]:
    return {
        "id": profile_id(push.key.evse_id),
        "stack_level": stack_level,
        "purpose": "TxProfile",
        "kind": "Relative",
        "recurrency_kind": None,
        "valid_from": None,
        "valid_to": None,
        "transaction_id": transaction_id,
        "schedules": [
            {
                "id": 1,
                "start_schedule": None,
                "duration": None,
                "charging_rate_unit": "A",
                "min_charging_rate": None,
                "periods": [{"start_period": 0, "limit": round(push.limit_a, 1), "number_phases": push.phases}],
            }
        ],
    }


def request_key(site_id: str, sequence: int, push: Push) -> str:
    return f"tx-profile:{site_id}:{sequence}:{push.key.station_id}:{push.key.evse_id}"


def tx_default_profile(evse_id: int, limit_a: float, phases: int, stack_level: int) -> dict[str, Any]:
    """The TxDefaultProfile of an EVSE on a site: the site's idle limit, what a car plugged in there draws until
    its session's TxProfile arrives."""
    return {
        "id": TX_DEFAULT_ID_BASE + evse_id,
        "stack_level": stack_level,
        "purpose": "TxDefaultProfile",
        "kind": "Relative",
        "recurrency_kind": None,
        "valid_from": None,
        "valid_to": None,
        "transaction_id": None,
        "schedules": [
            {
                "id": 1,
                "start_schedule": None,
                "duration": None,
                "charging_rate_unit": "A",
                "min_charging_rate": None,
                "periods": [{"start_period": 0, "limit": round(limit_a, 1), "number_phases": phases}],
            }
        ],
    }


def tx_default_key(site_id: str, sequence: int, station_id: str, evse_id: int) -> str:
    return f"tx-default:{site_id}:{sequence}:{station_id}:{evse_id}"
