"""OCPP 2.0.1 CancelReservation (CSMS → station), for `cancel-reservation`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.reservations import CancelReservation


def request(command: CancelReservation) -> call.CancelReservation:
    return call.CancelReservation(reservation_id=command.reservation_id)


def outcome(result: call_result.CancelReservation) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
