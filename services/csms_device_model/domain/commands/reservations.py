"""`reserve-now` and `cancel-reservation` (docs/adr/0043). Pure; no I/O.

reserve-now params: `reservation_id` (required, >= 0), `expires_at` (required, RFC 3339), `id_token` (required),
`token_type` (2.x IdToken type, default Central; 1.6 ignores it), `group_id_token` (1.6 parentIdTag, 2.x
groupIdToken of type Central), `evse_id` (absent or 0: the whole station — 1.6 connector 0, 2.x no evseId; N: 1.6
connector N, 2.x EVSE N), `connector_type` (2.x only, e.g. cType2).
cancel-reservation params: `reservation_id` (required, >= 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.firmware import date_time
from csms_device_model.domain.commands.params import Params

DEFAULT_TOKEN_TYPE = "Central"


@dataclass(frozen=True)
class ReserveNow:
    reservation_id: int
    # OCPP date-time (UTC, milliseconds)
    expires_at: str
    id_token: str
    token_type: str = DEFAULT_TOKEN_TYPE
    group_id_token: str | None = None
    # 0: the whole station
    evse_id: int = 0
    connector_type: str | None = None


@dataclass(frozen=True)
class CancelReservation:
    reservation_id: int


def parse_reserve_now(raw: Any) -> ReserveNow:
    params = Params(
        raw,
        ("reservation_id", "expires_at", "id_token", "token_type", "group_id_token", "evse_id", "connector_type"),
    )
    reservation_id = params.integer("reservation_id", required=True, minimum=0)
    expires_at = date_time(params, "expires_at", required=True)
    id_token = params.text("id_token", required=True)
    assert reservation_id is not None and expires_at is not None and id_token is not None
    return ReserveNow(
        reservation_id,
        expires_at,
        id_token,
        params.text("token_type") or DEFAULT_TOKEN_TYPE,
        params.text("group_id_token"),
        params.integer("evse_id", minimum=0) or 0,
        params.text("connector_type"),
    )


def parse_cancel_reservation(raw: Any) -> CancelReservation:
    reservation_id = Params(raw, ("reservation_id",)).integer("reservation_id", required=True, minimum=0)
    assert reservation_id is not None
    return CancelReservation(reservation_id)
