"""OCPP 1.6 ReserveNow (CSMS → station), for `reserve-now`: EVSE N is connector N, the whole station connector 0;
1.6 cannot reserve by connector type. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.reservations import ReserveNow


def request(command: ReserveNow) -> call.ReserveNow:
    if command.connector_type is not None:
        raise NotExpressible("OCPP 1.6 ReserveNow reserves a connector, not a connector type: leave connector_type out")
    return call.ReserveNow(
        connector_id=command.evse_id,
        expiry_date=command.expires_at,
        id_tag=command.id_token,
        reservation_id=command.reservation_id,
        parent_id_tag=command.group_id_token,
    )


def outcome(result: call_result.ReserveNow) -> dict[str, Any]:
    return results.status(result.status)
