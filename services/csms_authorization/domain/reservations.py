"""Reservations (docs/adr/0043), pure: which reservations hold a station (or one of its EVSEs) now, and what they
make of an authorization decision. No I/O.

A reservation names a station and an EVSE (1.6 connector N is EVSE N; 0: the whole station, 1.6 connector 0 or a
2.x ReserveNow without evseId). While it is active (accepted by the station, not ended, not past its expiry) only
its token, or a token of its group, may start there: any other token is answered NotAtThisLocation (Invalid on
1.6, which has no such status). A decision with no EVSE known (Authorize, which names none) is held only by a
reservation of the whole station.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from csms_authorization.domain.decision import AuthorizationStatus, Decision


class ReservationStatus(enum.Enum):
    # sent, not answered yet: it holds nothing until the station accepts it
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    # the station refused it (ReserveNow Faulted, Occupied, Rejected, Unavailable) or could not be reached
    REFUSED = "Refused"
    # ended: a session started with it, it was cancelled, it expired, or the station removed it (2.x)
    USED = "Used"
    CANCELLED = "Cancelled"
    EXPIRED = "Expired"
    REMOVED = "Removed"


ENDED = frozenset(
    {ReservationStatus.USED, ReservationStatus.CANCELLED, ReservationStatus.EXPIRED, ReservationStatus.REMOVED}
)


# 2.x ReservationStatusUpdate: the station ended a reservation itself. 2.1 NoTransaction: its token was presented
# (the reservation is spent) but no transaction followed.
STATION_UPDATES = {
    "Expired": ReservationStatus.EXPIRED,
    "Removed": ReservationStatus.REMOVED,
    "NoTransaction": ReservationStatus.USED,
}


@dataclass(frozen=True)
class Reservation:
    station_id: str
    reservation_id: int
    id_token: str
    expires_at: datetime
    status: ReservationStatus
    # 0: the whole station
    evse_id: int = 0
    group_id_token: str | None = None
    connector_type: str | None = None
    # the 2.x IdToken type the station is sent (1.6: an idTag has none)
    token_type: str = "Central"
    # the caller's name for the request that made it (a repeated request gets this reservation, nothing resent)
    request_key: str | None = None

    def state_at(self, at: datetime) -> ReservationStatus:
        """Its status at `at`: an accepted reservation past its expiry has expired, whether or not anyone said so."""
        if self.status is ReservationStatus.ACCEPTED and self.expires_at <= at:
            return ReservationStatus.EXPIRED
        return self.status

    def active(self, at: datetime) -> bool:
        return self.state_at(at) is ReservationStatus.ACCEPTED

    def claims(self, at: datetime) -> bool:
        """Whether a new reservation of its EVSE must wait for it: it holds, or it is still being sent (Pending and
        not past its expiry, so a request that died while sending frees the EVSE at the latest then)."""
        state = self.state_at(at)
        return state is ReservationStatus.ACCEPTED or (state is ReservationStatus.PENDING and self.expires_at > at)

    def overlaps(self, evse_id: int) -> bool:
        """Whether it and a reservation of `evse_id` would hold a common EVSE (0: the whole station holds every one)."""
        return self.evse_id == 0 or evse_id == 0 or self.evse_id == evse_id

    def holds(self, evse_id: int | None) -> bool:
        """Whether it holds the EVSE (None: not known, so only a reservation of the whole station holds)."""
        return self.evse_id == 0 or (evse_id is not None and evse_id == self.evse_id)

    def admits(self, id_token: str, group_id_token: str | None) -> bool:
        """Its own token, or any token of its group (the presented token's group, 1.6 parentIdTag)."""
        if id_token == self.id_token:
            return True
        return self.group_id_token is not None and self.group_id_token in (id_token, group_id_token)


def holding(reservations: Iterable[Reservation], evse_id: int | None, at: datetime) -> list[Reservation]:
    """The active reservations that hold the EVSE at `at`."""
    return [r for r in reservations if r.active(at) and r.holds(evse_id)]


def honour(
    decision: Decision, id_token: str, reservations: Iterable[Reservation], evse_id: int | None, at: datetime
) -> Decision:
    """An accepted decision stays accepted when no active reservation holds the EVSE, or one admits the token;
    otherwise the token may not start there (NotAtThisLocation)."""
    if decision.status is not AuthorizationStatus.ACCEPTED:
        return decision
    held = holding(reservations, evse_id, at)
    if not held or any(r.admits(id_token, decision.group_id_token) for r in held):
        return decision
    return replace(decision, status=AuthorizationStatus.NOT_AT_THIS_LOCATION)


def conflicting(reservations: Iterable[Reservation], evse_id: int, at: datetime) -> list[Reservation]:
    """The reservations a new reservation of `evse_id` at `at` would collide with, by id."""
    found = [r for r in reservations if r.claims(at) and r.overlaps(evse_id)]
    return sorted(found, key=lambda r: r.reservation_id)


def used_by(
    reservations: Iterable[Reservation], evse_id: int, id_token: str, group_id_token: str | None, at: datetime
) -> Reservation | None:
    """The reservation a session started on `evse_id` with this token (naming no reservation) ends: the active one
    holding the EVSE that admits the token (the one of that very EVSE before one of the whole station)."""
    admitting = [r for r in holding(reservations, evse_id, at) if r.admits(id_token, group_id_token)]
    return min(admitting, key=lambda r: (r.evse_id == 0, r.reservation_id), default=None)
