"""Reserving and cancelling (docs/adr/0043): the service owns reservation ids. A reservation is written Pending under
the station's next free id (a lightweight-transaction insert: two requests never take the same id), refused when
another reservation claims the same EVSE (or the whole station) meanwhile, sent as device-model's `reserve-now` and
waited for, then Accepted or Refused by the station's answer; cancelling sends `cancel-reservation` and, when the
station accepts, ends it Cancelled. Reads give every reservation its status as of now (`Reservation.state_at`).
Side effects: reservation store reads and writes, device-model commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from csms_authorization.domain.reservations import Reservation, ReservationStatus, conflicting
from csms_authorization.ports import CommandNotSent, ReservationCommands, ReservationStore
from csms_kernel.ocpp.timestamps import ocpp_datetime

# Ids taken by concurrent requests between our read and our insert: tried again with the next free one.
MAX_TRIES = 5
MAX_REQUEST_KEY = 200
MAX_LISTED = 1000


class InvalidReservation(ValueError):
    """The reservation cannot be made as asked; the message says which field."""


class ReservationConflict(Exception):
    """The EVSE (or the station) is already reserved for the period; the message names the reservation."""


class UnknownReservation(LookupError):
    pass


class ReservationService:
    def __init__(
        self, store: ReservationStore, commands: ReservationCommands, clock: Callable[[], datetime], wait_s: float
    ) -> None:
        self._store = store
        self._commands = commands
        self._clock = clock
        self._wait_s = wait_s

    async def reserve(self, draft: Reservation, wait_s: float | None = None) -> tuple[Reservation, str | None]:
        """`draft`'s id and status are chosen here. Returns the reservation as it ends up and the station's answer
        (None: no answer in time, the reservation is Refused). A repeat of a request with the same `request_key`
        returns that request's reservation: as it is once answered (answer None), else by asking device-model again
        under the same command key (never sent twice).
        InvalidReservation, ReservationConflict before anything is sent; CommandNotSent propagates (the
        reservation is Refused)."""
        now = self._clock()
        _check(draft, now)
        # the store keeps milliseconds: what is answered is what is read back later
        draft = replace(
            draft, expires_at=draft.expires_at.replace(microsecond=draft.expires_at.microsecond // 1000 * 1000)
        )
        reservation = await self._known(draft) if draft.request_key else None
        if reservation is None:
            reservation = await self._create(draft, now)
        elif reservation.status is not ReservationStatus.PENDING:
            return replace(reservation, status=reservation.state_at(now)), None
        try:
            answer = await self._commands.send(
                reservation.station_id,
                "reserve-now",
                _params(reservation),
                _key("reserve", reservation),
                wait_s or self._wait_s,
            )
        except CommandNotSent:
            await self._store.save(replace(reservation, status=ReservationStatus.REFUSED))
            raise
        status = ReservationStatus.ACCEPTED if answer == "accepted" else ReservationStatus.REFUSED
        reservation = replace(reservation, status=status)
        await self._store.save(reservation)
        return replace(reservation, status=reservation.state_at(self._clock())), answer

    async def cancel(
        self, station_id: str, reservation_id: int, wait_s: float | None = None
    ) -> tuple[Reservation, str | None]:
        """Sends cancel-reservation for an active reservation; Cancelled when the station accepts. An ended one is
        returned as it is (nothing sent). UnknownReservation; CommandNotSent propagates."""
        known = await self.get(station_id, reservation_id)
        if known.status is not ReservationStatus.ACCEPTED:
            return known, None
        answer = await self._commands.send(
            station_id,
            "cancel-reservation",
            {"reservation_id": reservation_id},
            _key("cancel", known),
            wait_s or self._wait_s,
        )
        if answer == "accepted":
            await self._store.set_status(station_id, reservation_id, ReservationStatus.CANCELLED)
            known = replace(known, status=ReservationStatus.CANCELLED)
        return known, answer

    async def get(self, station_id: str, reservation_id: int) -> Reservation:
        """The reservation with its status as of now; UnknownReservation."""
        now = self._clock()
        for reservation in await self._store.of_station(station_id):
            if reservation.reservation_id == reservation_id:
                return replace(reservation, status=reservation.state_at(now))
        raise UnknownReservation(f"station {station_id} has no reservation {reservation_id}")

    async def list(
        self, station_id: str | None, status: ReservationStatus | None = None, active: bool = False
    ) -> list[Reservation]:
        """The station's (None: every station's, at most MAX_LISTED) reservations with their status as of now,
        newest first within a station, filtered by that status and by whether they hold now."""
        now = self._clock()
        found = await self._store.of_station(station_id) if station_id else await self._store.every(MAX_LISTED)
        current = [replace(r, status=r.state_at(now)) for r in found]
        return sorted(
            (
                r
                for r in current
                if (status is None or r.status is status) and (not active or r.status is ReservationStatus.ACCEPTED)
            ),
            key=lambda r: (r.station_id, -r.reservation_id),
        )

    async def _known(self, draft: Reservation) -> Reservation | None:
        for reservation in await self._store.of_station(draft.station_id):
            if reservation.request_key == draft.request_key:
                return reservation
        return None

    async def _create(self, draft: Reservation, now: datetime) -> Reservation:
        for _ in range(MAX_TRIES):
            known = await self._store.of_station(draft.station_id)
            _refuse_conflict(draft, known, now)
            candidate = replace(
                draft,
                reservation_id=max((r.reservation_id for r in known), default=0) + 1,
                status=ReservationStatus.PENDING,
            )
            if not await self._store.create(candidate):
                continue
            # Two requests for one EVSE may both have passed the check above: the one with the lower id stays.
            others = [
                r
                for r in await self._store.of_station(draft.station_id)
                if r.reservation_id != candidate.reservation_id
            ]
            try:
                _refuse_conflict(draft, [r for r in others if r.reservation_id < candidate.reservation_id], now)
            except ReservationConflict:
                await self._store.save(replace(candidate, status=ReservationStatus.REFUSED))
                raise
            return candidate
        raise ReservationConflict(f"no free reservation id for {draft.station_id} after {MAX_TRIES} tries, retry")


def _check(draft: Reservation, now: datetime) -> None:
    if not draft.id_token:
        raise InvalidReservation("id_token: required")
    if draft.expires_at <= now:
        raise InvalidReservation(f"expires_at: {draft.expires_at.isoformat()} is not in the future")
    if draft.evse_id < 0:
        raise InvalidReservation("evse_id: 0 (the whole station) or an EVSE id")
    if draft.request_key is not None and len(draft.request_key) > MAX_REQUEST_KEY:
        raise InvalidReservation(f"request_key: at most {MAX_REQUEST_KEY} characters")


def _refuse_conflict(draft: Reservation, known: list[Reservation], now: datetime) -> None:
    for held in conflicting(known, draft.evse_id, now):
        where = "the whole station" if held.evse_id == 0 else f"EVSE {held.evse_id}"
        raise ReservationConflict(
            f"{where} of {draft.station_id} is reserved until {held.expires_at.isoformat()}"
            f" (reservation {held.reservation_id}, {held.status.value})"
        )


def _params(reservation: Reservation) -> dict[str, Any]:
    params: dict[str, Any] = {
        "reservation_id": reservation.reservation_id,
        "expires_at": ocpp_datetime(reservation.expires_at),
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
