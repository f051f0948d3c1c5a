"""Reserving and cancelling (docs/adr/0043): a reservation is written Pending under a fresh id for the station,
sent as device-model's `reserve-now` and waited for, then Accepted or Refused by the station's answer; cancelling
sends `cancel-reservation` and, when the station accepts, ends it Cancelled. Side effects: reservation store reads
and writes, device-model commands."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.ports import ReservationCommands, ReservationStore

# 1.6 reservationId and 2.x id are integers the CSMS chooses: the next free one of the station.
MAX_TRIES = 5


class InvalidReservation(ValueError):
    """The reservation cannot be made as asked; the message says why."""


class UnknownReservation(LookupError):
    pass


class ReservationService:
    def __init__(self, store: ReservationStore, commands: ReservationCommands) -> None:
        self._store = store
        self._commands = commands

    async def reserve(self, draft: Reservation, now: datetime) -> tuple[Reservation, str | None]:
        """`draft`'s id and status are chosen here. Returns the reservation as it ends up and the station's answer
        (None: no answer, the reservation stays Refused). CommandNotSent propagates (the reservation is Refused)."""
        if not draft.id_token:
            raise InvalidReservation("id_token is required")
        if draft.expires_at <= now:
            raise InvalidReservation("expires_at must be in the future")
        if draft.evse_id < 0:
            raise InvalidReservation("evse_id must be 0 (the whole station) or an EVSE id")
        reservation = await self._create(draft, now)
        try:
            answer = await self._commands.send(
                reservation.station_id, "reserve-now", _params(reservation), _key("reserve", reservation)
            )
        except Exception:
            await self._store.save(replace(reservation, status=ReservationStatus.REFUSED))
            raise
        status = ReservationStatus.ACCEPTED if answer == "accepted" else ReservationStatus.REFUSED
        reservation = replace(reservation, status=status)
        await self._store.save(reservation)
        return reservation, answer

    async def cancel(self, station_id: str, reservation_id: int, now: datetime) -> tuple[Reservation, str | None]:
        """Sends cancel-reservation for an active reservation; Cancelled when the station accepts. An ended one is
        returned as it is (nothing sent)."""
        known = next((r for r in await self._store.of_station(station_id) if r.reservation_id == reservation_id), None)
        if known is None:
            raise UnknownReservation(f"station {station_id} has no reservation {reservation_id}")
        if not known.active(now):
            return replace(known, status=known.state_at(now)), None
        answer = await self._commands.send(
            station_id, "cancel-reservation", {"reservation_id": reservation_id}, _key("cancel", known)
        )
        if answer == "accepted":
            known = replace(known, status=ReservationStatus.CANCELLED)
            await self._store.set_status(station_id, reservation_id, ReservationStatus.CANCELLED)
        return known, answer

    async def _create(self, draft: Reservation, now: datetime) -> Reservation:
        for _ in range(MAX_TRIES):
            known = await self._store.of_station(draft.station_id)
            if any(r.active(now) and r.evse_id == draft.evse_id for r in known):
                raise InvalidReservation(f"EVSE {draft.evse_id} of {draft.station_id} is already reserved")
            candidate = replace(
                draft,
                reservation_id=max((r.reservation_id for r in known), default=0) + 1,
                status=ReservationStatus.PENDING,
            )
            if await self._store.create(candidate):
                return candidate
        raise InvalidReservation(f"no free reservation id for {draft.station_id} after {MAX_TRIES} tries")


def _params(reservation: Reservation) -> dict[str, Any]:
    params: dict[str, Any] = {
        "reservation_id": reservation.reservation_id,
        "expires_at": reservation.expires_at.isoformat(),
        "id_token": reservation.id_token,
        "token_type": reservation.token_type,
        "evse_id": reservation.evse_id,
    }
    if reservation.group_id_token:
        params["group_id_token"] = reservation.group_id_token
    if reservation.connector_type:
        params["connector_type"] = reservation.connector_type
    return params


def _key(action: str, reservation: Reservation) -> str:
    return f"reservation:{action}:{reservation.station_id}:{reservation.reservation_id}"
