"""Reservations made or cancelled through device-model's operator commands, whoever sent them (the authorization
service's own use case, `csms command reserve-now`, the API's commands route): `reservation_writes` maps a
`csms.device_model.events.v1` CommandAnswered of `reserve-now` to the reservation row (Accepted when the station
accepted, else Refused) and an accepted `cancel-reservation` to status Cancelled, at the command's end time;
`used_writes` maps a `csms.transactions.events.v1` TransactionStarted naming its reservation (1.6 StartTransaction
reservationId, 2.x TransactionEvent reservationId) to status Used, at the event's station time (docs/adr/0043).
Part of the authorization projector (`projections.active_sessions.PROJECTION`). No I/O.
"""

from __future__ import annotations

import json

from csms.device_model.v1 import device_model_pb2
from csms.transactions.v1 import transactions_pb2
from csms_authorization.domain.reservations import ReservationStatus
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_kernel.projecting.writes import Write, micros

_RESERVED = (
    "INSERT INTO {ks}.reservations (station_id, reservation_id, id_token, token_type, group_id_token, evse_id,"
    " connector_type, expires_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)
_STATUS = "UPDATE {ks}.reservations USING TIMESTAMP ? SET status = ? WHERE station_id = ? AND reservation_id = ?"


def reservation_writes(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    if event.WhichOneof("event") != "command_answered":
        return []
    command = event.command_answered.command
    if command.command not in ("reserve-now", "cancel-reservation"):
        return []
    try:
        params = json.loads(command.params_json or "{}")
        status = json.loads(command.result_json or "{}").get("status")
        at = micros(to_datetime(command.finished_at))
        if command.command == "cancel-reservation":
            if status != "accepted":
                return []
            cancelled = (at, ReservationStatus.CANCELLED.value, command.station_id, int(params["reservation_id"]))
            return [Write(_STATUS, cancelled)]
        outcome = ReservationStatus.ACCEPTED if status == "accepted" else ReservationStatus.REFUSED
        row = (
            command.station_id,
            int(params["reservation_id"]),
            str(params["id_token"]),
            str(params.get("token_type") or "Central"),
            params.get("group_id_token"),
            int(params.get("evse_id") or 0),
            params.get("connector_type"),
            parse_ocpp_datetime(str(params["expires_at"])),
            outcome.value,
            at,
        )
    except (ValueError, KeyError, TypeError, OcppCallError):
        return []  # device-model validated the params before sending: nothing else reaches here
    return [Write(_RESERVED, row)]


def used_writes(event: transactions_pb2.TransactionEvent) -> list[Write]:
    if event.WhichOneof("event") != "started" or not event.started.HasField("reservation_id"):
        return []
    at = micros(to_datetime(event.occurred_at))
    used = (at, ReservationStatus.USED.value, event.station_id, event.started.reservation_id)
    return [Write(_STATUS, used)]
