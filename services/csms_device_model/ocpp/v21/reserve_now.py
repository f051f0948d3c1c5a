"""OCPP 2.1 ReserveNow (CSMS → station), for `reserve-now`: an EVSE, or the whole station (no evseId), optionally
of one connector type. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.reservations import ReserveNow


def request(command: ReserveNow) -> call.ReserveNow:
    group = {"id_token": command.group_id_token, "type": "Central"} if command.group_id_token else None
    return call.ReserveNow(
        id=command.reservation_id,
        expiry_date_time=command.expires_at,
        id_token={"id_token": command.id_token, "type": command.token_type},
        connector_type=command.connector_type,
        evse_id=command.evse_id or None,
        group_id_token=group,
    )


def outcome(result: call_result.ReserveNow) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
