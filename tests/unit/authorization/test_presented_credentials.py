"""The handshake rule (`check_presented`, docs/adr/0028): every registered x presented profile x password
combination, the pending password and profile and their promotion, and the pending-credential updates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from csms_authorization.domain.credentials import InvalidCredentials, PasswordHasher
from csms_authorization.domain.stations import (
    Change,
    Presented,
    Registration,
    StationChanges,
    StationRecord,
    Verdict,
    changes_between,
    check_changes,
    check_presented,
    check_presented_profile,
    check_registration,
    promoted,
    registered,
    updated,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)
HASHER = PasswordHasher(b"pepper", lambda n: b"\x07" * n)
CURRENT = "the-current-password"
PENDING = "the-pending-password"
WRONG = "not-the-password-at-all"


def a_station(profile: int, *, pending_password: bool = True, pending_profile: int | None = None) -> StationRecord:
    return replace(
        registered(Registration("CP-1", CURRENT, profile), HASHER, NOW),
        pending_password=HASHER.hash(PENDING) if pending_password else None,
        pending_security_profile=pending_profile,
        pending_revision=42,
    )


def check(record: StationRecord | None, password: str, presented: int) -> Presented:
    return check_presented(record, password, check_presented_profile(presented), HASHER)


ACCEPTED = Presented(Verdict.ACCEPTED)
ROTATED = Presented(Verdict.ACCEPTED, (Change.PASSWORD_ROTATED,))
TOO_LOW = Presented(Verdict.PROFILE_TOO_LOW)
WRONG_PASSWORD = Presented(Verdict.WRONG_PASSWORD)

# registered profile -> presented profile (0 = 1) -> password -> outcome; a pending password is set throughout.
TABLE: dict[int, dict[int, dict[str, Presented]]] = {
    1: {p: {CURRENT: ACCEPTED, PENDING: ROTATED, WRONG: WRONG_PASSWORD, "": WRONG_PASSWORD} for p in (0, 1, 2, 3)},
    2: {
        0: {CURRENT: TOO_LOW, PENDING: TOO_LOW, WRONG: TOO_LOW, "": TOO_LOW},
        1: {CURRENT: TOO_LOW, PENDING: TOO_LOW, WRONG: TOO_LOW, "": TOO_LOW},
        2: {CURRENT: ACCEPTED, PENDING: ROTATED, WRONG: WRONG_PASSWORD, "": WRONG_PASSWORD},
        3: {CURRENT: ACCEPTED, PENDING: ROTATED, WRONG: WRONG_PASSWORD, "": WRONG_PASSWORD},
    },
    3: {
        0: {CURRENT: TOO_LOW, PENDING: TOO_LOW, WRONG: TOO_LOW, "": TOO_LOW},
        1: {CURRENT: TOO_LOW, PENDING: TOO_LOW, WRONG: TOO_LOW, "": TOO_LOW},
        2: {CURRENT: TOO_LOW, PENDING: TOO_LOW, WRONG: TOO_LOW, "": TOO_LOW},
        # the certificate is the credential: any password is ignored, nothing is promoted
        3: {CURRENT: ACCEPTED, PENDING: ACCEPTED, WRONG: ACCEPTED, "": ACCEPTED},
    },
}
CASES = [
    (registered_at, presented, password, outcome)
    for registered_at, by_presented in TABLE.items()
    for presented, by_password in by_presented.items()
    for password, outcome in by_password.items()
]


@pytest.mark.parametrize(("registered_at", "presented", "password", "outcome"), CASES)
def test_the_rule_table(registered_at: int, presented: int, password: str, outcome: Presented) -> None:
    assert check(a_station(registered_at), password, presented) == outcome


@pytest.mark.parametrize(("registered_at", "presented", "password", "outcome"), CASES)
def test_without_a_pending_password_only_the_current_one_verifies(
    registered_at: int, presented: int, password: str, outcome: Presented
) -> None:
    expected = WRONG_PASSWORD if outcome == ROTATED else outcome
    assert check(a_station(registered_at, pending_password=False), password, presented) == expected


@pytest.mark.parametrize(("registered_at", "presented", "password", "outcome"), CASES)
def test_a_disabled_station_is_told_so_only_with_valid_credentials(
    registered_at: int, presented: int, password: str, outcome: Presented
) -> None:
    expected = Presented(Verdict.DISABLED) if outcome.verdict is Verdict.ACCEPTED else outcome
    assert check(replace(a_station(registered_at), enabled=False), password, presented) == expected


def test_an_unknown_station() -> None:
    assert check(None, CURRENT, 3) == Presented(Verdict.UNKNOWN_STATION)


@pytest.mark.parametrize("presented", [4, 7, 255])
def test_a_presented_profile_outside_0_to_3_is_refused(presented: int) -> None:
    with pytest.raises(InvalidCredentials, match="security_profile must be 1, 2 or 3"):
        check_presented_profile(presented)


@pytest.mark.parametrize(
    ("registered_at", "pending_profile", "presented", "password", "outcome"),
    [
        # at the pending profile or above: upgraded, with valid credentials
        (1, 2, 2, CURRENT, (Verdict.ACCEPTED, (Change.SECURITY_PROFILE_UPGRADED,))),
        (1, 2, 3, CURRENT, (Verdict.ACCEPTED, (Change.SECURITY_PROFILE_UPGRADED,))),
        (1, 2, 2, PENDING, (Verdict.ACCEPTED, (Change.PASSWORD_ROTATED, Change.SECURITY_PROFILE_UPGRADED))),
        (1, 2, 2, WRONG, (Verdict.WRONG_PASSWORD, ())),
        # still accepted at the registered profile meanwhile, not upgraded
        (1, 2, 1, CURRENT, (Verdict.ACCEPTED, ())),
        (1, 3, 2, CURRENT, (Verdict.ACCEPTED, ())),
        (2, 3, 1, CURRENT, (Verdict.PROFILE_TOO_LOW, ())),
        # an upgrade to 3: the certificate is the credential (a station on SP3 sends no Basic auth)
        (2, 3, 3, "", (Verdict.ACCEPTED, (Change.SECURITY_PROFILE_UPGRADED,))),
        (1, 3, 3, WRONG, (Verdict.ACCEPTED, (Change.SECURITY_PROFILE_UPGRADED,))),
        (2, 3, 2, "", (Verdict.WRONG_PASSWORD, ())),
    ],
)
def test_a_pending_profile(
    registered_at: int, pending_profile: int, presented: int, password: str, outcome: tuple[Verdict, tuple[Change]]
) -> None:
    station = a_station(registered_at, pending_profile=pending_profile)
    assert check(station, password, presented) == Presented(*outcome)


def test_promotion_makes_the_pending_password_the_only_one() -> None:
    station = a_station(1)
    after = promoted(station, (Change.PASSWORD_ROTATED,), LATER)
    assert after.pending_password is None and after.updated_at == LATER
    assert check(after, PENDING, 1) == ACCEPTED
    assert check(after, CURRENT, 1) == WRONG_PASSWORD


def test_promotion_raises_the_registered_profile() -> None:
    station = a_station(1, pending_password=False, pending_profile=2)
    after = promoted(station, (Change.SECURITY_PROFILE_UPGRADED,), LATER)
    assert (after.security_profile, after.pending_security_profile) == (2, None)
    assert check(after, CURRENT, 1) == TOO_LOW
    assert check(after, CURRENT, 2) == ACCEPTED


def test_a_promotion_of_the_one_kind_leaves_the_other_pending() -> None:
    station = a_station(1, pending_profile=2)
    after = promoted(station, (Change.SECURITY_PROFILE_UPGRADED,), LATER)
    assert after.security_profile == 2 and after.pending_password == station.pending_password


def test_a_profile_3_station_may_be_registered_without_a_password() -> None:
    registration = Registration("CP-1", "", 3)
    check_registration(registration)
    record = registered(registration, HASHER, NOW)
    assert record.password is None
    assert check(record, "", 3) == ACCEPTED
    assert check(record, "", 2) == TOO_LOW
    with pytest.raises(InvalidCredentials, match=r"password must be 16\.\.64"):
        check_registration(Registration("CP-1", "", 2))


def test_a_passwordless_station_cannot_go_below_profile_3_without_a_password() -> None:
    record = registered(Registration("CP-1", "", 3), HASHER, NOW)
    with pytest.raises(InvalidCredentials, match="needs a password"):
        updated(record, None, StationChanges(security_profile=2), HASHER, LATER)
    lowered, _ = updated(record, None, StationChanges(security_profile=2, password=CURRENT), HASHER, LATER)
    assert check(lowered, CURRENT, 2) == ACCEPTED


@pytest.mark.parametrize(
    ("start", "changes", "pending"),
    [
        (a_station(1, pending_password=False), StationChanges(pending_password=PENDING), (True, None)),
        (a_station(1, pending_password=True), StationChanges(pending_password=""), (False, None)),
        (a_station(1, pending_password=False), StationChanges(pending_security_profile=3), (False, 3)),
        (a_station(1, pending_profile=3), StationChanges(pending_security_profile=0), (True, None)),
        # the registered profile reaching the pending one ends the upgrade
        (a_station(1, pending_profile=2), StationChanges(security_profile=2), (True, None)),
        # a password set outright ends the rotation
        (a_station(1, pending_password=True), StationChanges(password="an-outright-password"), (False, None)),
    ],
)
def test_pending_credentials_are_set_and_cancelled(
    start: StationRecord, changes: StationChanges, pending: tuple[bool, int | None]
) -> None:
    check_changes(changes)
    after, _ = updated(start, None, changes, HASHER, LATER, revision=77)
    assert (after.pending_password is not None, after.pending_security_profile) == pending
    assert after.pending_revision == 77 and after.updated_at == LATER
    assert Change.PENDING_CREDENTIALS_CHANGED in changes_between(start, after)


def test_a_new_pending_password_is_hashed_with_a_fresh_salt() -> None:
    salts = iter([b"\x09" * 16])
    after, _ = updated(
        a_station(1, pending_password=False),
        None,
        StationChanges(pending_password=PENDING),
        PasswordHasher(b"pepper", lambda n: next(salts)),
        LATER,
    )
    assert after.pending_password is not None and after.pending_password.salt == b"\x09" * 16
    assert changes_between(a_station(1, pending_password=False), after) == [Change.PENDING_CREDENTIALS_CHANGED]


@pytest.mark.parametrize(
    ("start", "changes", "message"),
    [
        (a_station(2), StationChanges(pending_security_profile=2), "must be higher than the registered profile 2"),
        (a_station(2), StationChanges(pending_security_profile=1), "must be higher than the registered profile 2"),
        (
            a_station(1),
            StationChanges(security_profile=3, pending_security_profile=2),
            "must be higher than the registered profile 3",
        ),
        (a_station(3, pending_password=False), StationChanges(pending_password=PENDING), "no password rotation"),
    ],
)
def test_pending_credentials_that_break_a_rule_are_refused(
    start: StationRecord, changes: StationChanges, message: str
) -> None:
    with pytest.raises(InvalidCredentials, match=message):
        updated(start, None, changes, HASHER, LATER)


@pytest.mark.parametrize(
    "changes", [StationChanges(pending_password="short"), StationChanges(pending_security_profile=4)]
)
def test_invalid_pending_values_are_refused(changes: StationChanges) -> None:
    with pytest.raises(InvalidCredentials):
        check_changes(changes)


def test_an_update_that_changes_no_pending_credential_keeps_the_pending_revision() -> None:
    start = a_station(1, pending_profile=3)
    after, _ = updated(start, None, StationChanges(enabled=False), HASHER, LATER, revision=99)
    assert after.pending_revision == 42
