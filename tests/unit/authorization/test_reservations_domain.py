"""Reservations honoured by the authorization decision: only the reserved token or its group starts on a held EVSE,
a whole-station reservation holds every EVSE and Authorize (no EVSE), expiry frees it, a pending or ended one holds
nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csms_authorization.domain.decision import AuthorizationStatus, Decision
from csms_authorization.domain.reservations import Reservation, ReservationStatus, conflicting, honour, used_by

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
ACCEPTED = Decision(AuthorizationStatus.ACCEPTED)
ON_EVSE_1 = Reservation("CS-1", 7, "TAG-R", NOW + timedelta(minutes=10), ReservationStatus.ACCEPTED, evse_id=1)
WHOLE = replace(ON_EVSE_1, reservation_id=8, evse_id=0)


def status(id_token: str, reservations: list[Reservation], evse_id: int | None, decision: Decision = ACCEPTED) -> str:
    return honour(decision, id_token, reservations, evse_id, NOW).status.value


def test_the_reserved_token_starts_on_its_evse() -> None:
    assert status("TAG-R", [ON_EVSE_1], 1) == "Accepted"


def test_another_token_is_refused_on_the_reserved_evse_but_not_on_another() -> None:
    assert status("TAG-X", [ON_EVSE_1], 1) == "NotAtThisLocation"
    assert status("TAG-X", [ON_EVSE_1], 2) == "Accepted"


def test_authorize_names_no_evse_so_only_a_whole_station_reservation_holds() -> None:
    assert status("TAG-X", [ON_EVSE_1], None) == "Accepted"
    assert status("TAG-X", [WHOLE], None) == "NotAtThisLocation"
    assert status("TAG-X", [WHOLE], 3) == "NotAtThisLocation"


def test_a_token_of_the_reserved_group_starts() -> None:
    grouped = replace(ON_EVSE_1, group_id_token="FLEET")
    member = Decision(AuthorizationStatus.ACCEPTED, group_id_token="FLEET")
    assert status("TAG-M", [grouped], 1, member) == "Accepted"
    assert status("TAG-X", [grouped], 1) == "NotAtThisLocation"


@pytest.mark.parametrize(
    "reservation",
    [
        replace(ON_EVSE_1, expires_at=NOW),
        replace(ON_EVSE_1, status=ReservationStatus.PENDING),
        replace(ON_EVSE_1, status=ReservationStatus.REFUSED),
        replace(ON_EVSE_1, status=ReservationStatus.CANCELLED),
        replace(ON_EVSE_1, status=ReservationStatus.USED),
        replace(ON_EVSE_1, status=ReservationStatus.REMOVED),
    ],
)
def test_an_expired_pending_refused_or_ended_reservation_holds_nothing(reservation: Reservation) -> None:
    assert status("TAG-X", [reservation], 1) == "Accepted"


def test_expiry_is_read_at_the_time_of_the_decision() -> None:
    assert ON_EVSE_1.state_at(NOW) is ReservationStatus.ACCEPTED
    assert ON_EVSE_1.state_at(ON_EVSE_1.expires_at) is ReservationStatus.EXPIRED


def test_a_refused_token_stays_refused() -> None:
    assert status("TAG-R", [ON_EVSE_1], 1, Decision(AuthorizationStatus.BLOCKED)) == "Blocked"


def test_a_new_reservation_conflicts_with_one_claiming_a_common_evse() -> None:
    pending = replace(ON_EVSE_1, reservation_id=9, evse_id=2, status=ReservationStatus.PENDING)
    refused = replace(ON_EVSE_1, reservation_id=10, evse_id=3, status=ReservationStatus.REFUSED)
    known = [pending, ON_EVSE_1, refused]
    assert conflicting(known, 1, NOW) == [ON_EVSE_1]
    assert conflicting(known, 2, NOW) == [pending]
    assert conflicting(known, 0, NOW) == [ON_EVSE_1, pending]
    assert conflicting(known, 3, NOW) == []
    assert conflicting([WHOLE], 3, NOW) == [WHOLE]
    assert conflicting(known, 0, NOW + timedelta(minutes=10)) == []


def test_a_session_start_uses_the_reservation_admitting_its_token_its_evse_before_the_station() -> None:
    assert used_by([WHOLE, ON_EVSE_1], 1, "TAG-R", None, NOW) == ON_EVSE_1
    assert used_by([WHOLE, ON_EVSE_1], 2, "TAG-R", None, NOW) == WHOLE
    assert used_by([ON_EVSE_1], 1, "TAG-X", None, NOW) is None
    assert used_by([ON_EVSE_1], 2, "TAG-R", None, NOW) is None
