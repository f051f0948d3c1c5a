"""The pure rules of registered stations: partial updates, what a change means for connections, verdicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csms_authorization.domain.credentials import InvalidCredentials, PasswordHasher
from csms_authorization.domain.stations import (
    Change,
    Registration,
    StationChanges,
    changes_between,
    check_changes,
    registered,
    updated,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 2, 12, 0, tzinfo=UTC)
HASHER = PasswordHasher(b"pepper", lambda n: b"\x07" * n)
RECORD = registered(Registration("CP-1", "a-password-of-16+", 1), HASHER, NOW)


def test_a_new_station_is_enabled_with_a_hashed_password() -> None:
    assert RECORD.enabled and RECORD.created_at == RECORD.updated_at == NOW
    assert HASHER.verify("a-password-of-16+", RECORD.password)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (StationChanges(enabled=False), [Change.DISABLED]),
        (StationChanges(security_profile=2), [Change.SECURITY_PROFILE_CHANGED]),
        (StationChanges(password="a-password-of-16+"), [Change.PASSWORD_CHANGED]),  # a rotation, even to itself
        (
            StationChanges(password="another-password-16", security_profile=3, enabled=False),
            [Change.DISABLED, Change.PASSWORD_CHANGED, Change.SECURITY_PROFILE_CHANGED],
        ),
        (StationChanges(enabled=True, security_profile=1), []),
        (StationChanges(group="site-a"), []),
        (StationChanges(), []),
    ],
)
def test_what_a_change_means_for_connections(changes: StationChanges, expected: list[Change]) -> None:
    salts = iter([b"\x08" * 16])
    hasher = PasswordHasher(b"pepper", lambda n: next(salts))
    after, _ = updated(RECORD, None, changes, hasher, LATER)
    assert changes_between(RECORD, after) == expected


def test_enabling_a_disabled_station_is_a_change() -> None:
    disabled, _ = updated(RECORD, None, StationChanges(enabled=False), HASHER, LATER)
    enabled, _ = updated(disabled, None, StationChanges(enabled=True), HASHER, LATER)
    assert changes_between(disabled, enabled) == [Change.ENABLED]


@pytest.mark.parametrize(
    ("group", "changes", "expected"),
    [
        ("site-a", StationChanges(group="site-b"), "site-b"),
        ("site-a", StationChanges(group=""), None),
        ("site-a", StationChanges(enabled=False), "site-a"),
        (None, StationChanges(group="site-a"), "site-a"),
    ],
)
def test_the_group_changes_only_when_set(group: str | None, changes: StationChanges, expected: str | None) -> None:
    assert updated(RECORD, group, changes, HASHER, LATER)[1] == expected


def test_updated_at_moves_only_when_something_changes() -> None:
    assert updated(RECORD, "site-a", StationChanges(security_profile=1, group="site-a"), HASHER, LATER) == (
        RECORD,
        "site-a",
    )
    assert updated(RECORD, "site-a", StationChanges(group="site-b"), HASHER, LATER)[0].updated_at == LATER
    assert updated(RECORD, None, StationChanges(enabled=False), HASHER, LATER)[0].updated_at == LATER


@pytest.mark.parametrize(
    "changes",
    [StationChanges(password="short"), StationChanges(security_profile=0), StationChanges(group="a b")],
)
def test_invalid_changes_are_refused(changes: StationChanges) -> None:
    with pytest.raises(InvalidCredentials):
        check_changes(changes)
