"""Smart-charging events as the read model holds them, for view, projection, reinstall and API tests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_smart_charging.domain.events import requested
from kit.builders.smart_charging import NOW, STATION


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def profile(
    profile_id: int, purpose: str = "TxDefaultProfile", stack_level: int = 0, limit: float = 16
) -> dict[str, Any]:
    return {
        "id": profile_id,
        "stack_level": stack_level,
        "purpose": purpose,
        "kind": "Absolute",
        "schedules": [{"id": 1, "charging_rate_unit": "A", "periods": [{"start_period": 0, "limit": limit}]}],
    }


def request(
    n: int, seconds: float, command: str, params: dict[str, Any], key: str | None = None
) -> smart_charging_pb2.SmartChargingEvent:
    return requested(
        STATION,
        smart_charging_pb2.ProfileRequested(
            request_key=key or f"key-{n}",
            command=command,
            command_id=f"cmd-{n}",
            params_json=json.dumps(params),
            origin=smart_charging_pb2.REQUEST_ORIGIN_OPERATOR,
        ),
        at(seconds),
    )


def outcome(
    n: int, seconds: float, command: str, result: dict[str, Any] | None = None, state: str = "ANSWERED"
) -> smart_charging_pb2.SmartChargingEvent:
    return smart_charging_pb2.SmartChargingEvent(
        event_id=f"o-{n}",
        station_id=STATION,
        recorded_at=timestamp(at(seconds)),
        command_outcome=smart_charging_pb2.CommandOutcome(
            command_id=f"cmd-{n}", command=command, state=state, result_json=json.dumps(result or {})
        ),
    )


def set_and_answer(
    n: int, seconds: float, evse_id: int, body: dict[str, Any], status: str = "accepted"
) -> list[smart_charging_pb2.SmartChargingEvent]:
    return [
        request(n, seconds, "set-charging-profile", {"evse_id": evse_id, "profile": body}),
        outcome(n, seconds + 1, "set-charging-profile", {"status": status}),
    ]
