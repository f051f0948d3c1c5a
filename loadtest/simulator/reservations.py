"""A simulated station's reservations: the CSMS's ReserveNow and CancelReservation (1.6 and 2.x), the
Reserved connector status, who may start on a reserved EVSE, and expiry.

ReserveNow is Accepted on an idle, available EVSE (1.6 connectorId; 2.x evseId, or EVSE 1 when only a connector
type is given; 1.6 connector 0 is Rejected: ReserveConnectorZeroSupported is false), Occupied while it charges or
holds another reservation, Unavailable while it is unavailable; a ReserveNow with the id of a reservation it
holds replaces that one. Then the connector reports Reserved (StatusNotification); it reports Available again
after a CancelReservation or at expiry, when a 2.x station also sends ReservationStatusUpdate Expired. Only the
reserved token (or a token of its group: 1.6 parentIdTag, 2.x groupIdToken, as the CSMS's Authorize answer
names it) may start there; the session that starts ends the reservation and carries its id. Side effects: the
CALLs above and an expiry timer per reservation, through the station's `Operations`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator import messages
from loadtest.simulator.firmware import Job, Operations, cancel_all, parse_time

Payload = dict[str, Any]
Start = Callable[[Operations], None]
Sleep = Callable[[float], Awaitable[None]]

AVAILABLE, OCCUPIED, UNAVAILABLE = "Available", "Occupied", "Unavailable"


@dataclass(frozen=True)
class Reservation:
    id: int
    evse_id: int
    id_token: str
    group: str | None
    expires: datetime

    def admits(self, id_token: str, group: str | None) -> bool:
        return id_token == self.id_token or (self.group is not None and group == self.group)


def _token(value: object) -> str | None:
    if isinstance(value, dict):
        token = value.get("id_token")
        return token if isinstance(token, str) else None
    return value if isinstance(value, str) else None


@dataclass
class Reservations:
    """One station's reservations; `status_of(evse)` is its EVSE's state (Available, Occupied, Unavailable)."""

    version: OcppVersion
    evse_count: int = 1
    status_of: Callable[[int], str] = lambda evse: AVAILABLE
    sleep: Sleep = asyncio.sleep
    active: dict[int, Reservation] = field(default_factory=dict)  # by EVSE
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    def on(self, evse_id: int, now: datetime) -> Reservation | None:
        """The reservation of `evse_id` in force at `now` (an expired one no longer counts)."""
        found = self.active.get(evse_id)
        return found if found is not None and now < found.expires else None

    def admits(self, evse_id: int, id_token: str, group: str | None, now: datetime) -> bool:
        found = self.on(evse_id, now)
        return found is None or found.admits(id_token, group)

    def consume(self, evse_id: int, id_token: str, group: str | None, now: datetime) -> int | None:
        """A session starts on `evse_id` with `id_token`: the id of the reservation it ends, if any."""
        found = self.on(evse_id, now)
        if found is None or not found.admits(id_token, group):
            return None
        del self.active[evse_id]
        return found.id

    def answer(self, action: str, payload: Payload, at: str) -> tuple[Payload, Start] | None:
        """The CALLRESULT payload of ReserveNow / CancelReservation and what follows it, or None for another
        action."""
        if action not in ("ReserveNow", "CancelReservation"):
            return None
        try:
            request = to_request(getattr(self.version.call_module, action), payload)
        except OcppCallError:
            return None
        now = parse_time(at) or datetime.now(UTC)
        if action == "ReserveNow":
            status, start = self._reserve(request, now, at)
        else:
            status, start = self._cancel(request.reservation_id, at)
        return to_payload(getattr(self.version.call_result_module, action)(status=status)), start

    def _reserve(self, request: Any, now: datetime, at: str) -> tuple[str, Start]:
        v16 = self.version is OcppVersion.V16
        evse_id = request.connector_id if v16 else (request.evse_id or 1)
        expires = parse_time(request.expiry_date if v16 else request.expiry_date_time)
        reservation_id = request.reservation_id if v16 else request.id
        token = _token(request.id_tag if v16 else request.id_token)
        if not 1 <= evse_id <= self.evse_count or expires is None or token is None:
            return "Rejected", _nothing
        held = self.on(evse_id, now)
        state = self.status_of(evse_id)
        if state == UNAVAILABLE:
            return "Unavailable", _nothing
        if state == OCCUPIED or (held is not None and held.id != reservation_id):
            return "Occupied", _nothing
        for evse, other in list(self.active.items()):
            if other.id == reservation_id:
                del self.active[evse]
        group = _token(request.parent_id_tag if v16 else request.group_id_token)
        reservation = Reservation(reservation_id, evse_id, token, group, expires)
        self.active[evse_id] = reservation
        delay = (expires - now).total_seconds()
        return "Accepted", self._starter(self._run(reservation, delay, at))

    def _cancel(self, reservation_id: int, at: str) -> tuple[str, Start]:
        for evse, reservation in list(self.active.items()):
            if reservation.id == reservation_id:
                del self.active[evse]
                return "Accepted", self._starter(self._status(evse, AVAILABLE, at))
        return "Rejected", _nothing

    def _starter(self, job: Job) -> Start:
        def start(ops: Operations) -> None:
            task = asyncio.create_task(job(ops))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return start

    def _status(self, evse_id: int, status: str, at: str) -> Job:
        async def send(ops: Operations) -> None:
            await ops.call(*messages.connector_status(self.version, evse_id, status, at))

        return send

    def _run(self, reservation: Reservation, delay: float, at: str) -> Job:
        """Reports Reserved, waits for the expiry and, if the reservation is still there, ends it."""

        async def run(ops: Operations) -> None:
            await self._status(reservation.evse_id, "Reserved", at)(ops)
            await self.sleep(max(delay, 0.0))
            if self.active.get(reservation.evse_id) is not reservation:
                return  # cancelled, replaced or used by a session
            del self.active[reservation.evse_id]
            expired_at = reservation.expires.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            if self.version is not OcppVersion.V16:
                update = self.version.call_module.ReservationStatusUpdate(
                    reservation_id=reservation.id, reservation_update_status="Expired"
                )
                await ops.call("ReservationStatusUpdate", to_payload(update))
            if self.status_of(reservation.evse_id) == AVAILABLE:
                await self._status(reservation.evse_id, AVAILABLE, expired_at)(ops)

        return run

    async def stop(self) -> None:
        """Cancels the jobs under way (the run ends)."""
        await cancel_all(self._tasks)


def _nothing(ops: Operations) -> None:
    return None
