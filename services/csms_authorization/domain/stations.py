"""Registered stations, pure: the record, the rules of a registration and of a partial update, what a change
means for who may connect (the `Change`s published to the edge nodes), and the handshake verdict.

Credentials themselves (id, password and profile rules, hashing) are in `credentials`. No I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from csms_authorization.domain.credentials import (
    InvalidCredentials,
    PasswordHash,
    PasswordHasher,
    check_password,
    check_security_profile,
    check_station_id,
)

GROUP_MAX_LENGTH = 64


@dataclass(frozen=True)
class StationRecord:
    station_id: str
    password: PasswordHash
    security_profile: int
    created_at: datetime
    updated_at: datetime
    # A disabled station keeps its registration but may not connect.
    enabled: bool = True


@dataclass(frozen=True)
class Registration:
    station_id: str
    password: str
    security_profile: int
    # None: in no group.
    group: str | None = None


@dataclass(frozen=True)
class StationChanges:
    """A partial update: only the fields that are not None change. `group` "" takes the station out of its
    group."""

    password: str | None = None
    security_profile: int | None = None
    group: str | None = None
    enabled: bool | None = None


class Change(enum.Enum):
    """What changed about who may connect as a station."""

    REGISTERED = "registered"
    DISABLED = "disabled"
    ENABLED = "enabled"
    DELETED = "deleted"
    PASSWORD_CHANGED = "password_changed"
    SECURITY_PROFILE_CHANGED = "security_profile_changed"


class Verdict(enum.Enum):
    """The answer to credentials presented at the WebSocket handshake."""

    ACCEPTED = "accepted"
    UNKNOWN_STATION = "unknown_station"
    WRONG_PASSWORD = "wrong_password"
    DISABLED = "disabled"


def check_group(group: str) -> None:
    """1..64 printable ASCII characters without spaces."""
    if not 1 <= len(group) <= GROUP_MAX_LENGTH or not all("!" <= c <= "~" for c in group):
        raise InvalidCredentials(f"group must be 1..{GROUP_MAX_LENGTH} printable ASCII characters without spaces")


def check_registration(registration: Registration) -> None:
    """Raises InvalidCredentials naming the first rule the registration breaks."""
    check_station_id(registration.station_id)
    check_password(registration.password)
    check_security_profile(registration.security_profile)
    if registration.group is not None:
        check_group(registration.group)


def check_changes(changes: StationChanges) -> None:
    """Raises InvalidCredentials naming the first rule a field that is set breaks."""
    if changes.password is not None:
        check_password(changes.password)
    if changes.security_profile is not None:
        check_security_profile(changes.security_profile)
    if changes.group:
        check_group(changes.group)


def registered(registration: Registration, hasher: PasswordHasher, now: datetime) -> StationRecord:
    """The record of a new station: enabled, the password hashed with a fresh salt."""
    return StationRecord(
        station_id=registration.station_id,
        password=hasher.hash(registration.password),
        security_profile=registration.security_profile,
        created_at=now,
        updated_at=now,
    )


def updated(
    record: StationRecord, group: str | None, changes: StationChanges, hasher: PasswordHasher, now: datetime
) -> tuple[StationRecord, str | None]:
    """The record and group with the changes applied; a new password is hashed with a fresh salt (as at
    registration). `updated_at` moves when anything changes, the group included."""
    changed = replace(
        record,
        password=hasher.hash(changes.password) if changes.password is not None else record.password,
        security_profile=record.security_profile if changes.security_profile is None else changes.security_profile,
        enabled=record.enabled if changes.enabled is None else changes.enabled,
    )
    new_group = group if changes.group is None else changes.group or None
    if (changed, new_group) == (record, group):
        return record, group
    return replace(changed, updated_at=now), new_group


def changes_between(before: StationRecord, after: StationRecord) -> list[Change]:
    """What a change of the record means for the station's connections, in a stable order. Any new password
    counts, even the same one again (it was re-hashed: a rotation was asked for)."""
    changes: list[Change] = []
    if before.enabled != after.enabled:
        changes.append(Change.ENABLED if after.enabled else Change.DISABLED)
    if before.password != after.password:
        changes.append(Change.PASSWORD_CHANGED)
    if before.security_profile != after.security_profile:
        changes.append(Change.SECURITY_PROFILE_CHANGED)
    return changes


def verdict(record: StationRecord | None, password_matches: bool) -> Verdict:
    """A disabled station is told so only when its password is right: without the password nobody learns more
    than "invalid credentials"."""
    if record is None:
        return Verdict.UNKNOWN_STATION
    if not password_matches:
        return Verdict.WRONG_PASSWORD
    return Verdict.ACCEPTED if record.enabled else Verdict.DISABLED
