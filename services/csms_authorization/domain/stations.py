"""Registered stations, pure: the record, the rules of a registration and of a partial update, what a change
means for who may connect (the `Change`s published to the edge nodes), and the handshake rule (`check_presented`:
the profile the connection proves against the registered one, the password against the current or pending one,
and the promotion of a pending password or profile; docs/adr/0024, docs/adr/0028).

Credentials themselves (id, password and profile rules, hashing) are in `credentials`. No I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
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

CERTIFICATE_PROFILE = 3
"""The profile at which the client certificate is the credential: no password needed."""

GROUP_MAX_LENGTH = 64


@dataclass(frozen=True)
class StationRecord:
    station_id: str
    # None: a station registered at profile 3 without a password (its certificate is its credential).
    password: PasswordHash | None
    security_profile: int
    created_at: datetime
    updated_at: datetime
    # A disabled station keeps its registration but may not connect.
    enabled: bool = True
    # A password rotation under way: accepted besides `password` until the station presents it.
    pending_password: PasswordHash | None = None
    # A profile upgrade under way (higher than `security_profile`): registered once the station connects at it.
    pending_security_profile: int | None = None
    # The revision of the change that last set the pending credentials: names this rotation/upgrade, so that
    # concurrent verifications promote it once (0: nothing pending was ever set).
    pending_revision: int = 0


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
    # "" cancels a rotation under way.
    pending_password: str | None = None
    # 0 cancels an upgrade under way.
    pending_security_profile: int | None = None


class Change(enum.Enum):
    """What changed about who may connect as a station."""

    REGISTERED = "registered"
    DISABLED = "disabled"
    ENABLED = "enabled"
    DELETED = "deleted"
    PASSWORD_CHANGED = "password_changed"
    SECURITY_PROFILE_CHANGED = "security_profile_changed"
    # A pending password or profile was set or cancelled: verdicts are forgotten, the connection stays.
    PENDING_CREDENTIALS_CHANGED = "pending_credentials_changed"
    # The station presented its pending password, now its only one (the connection stays).
    PASSWORD_ROTATED = "password_rotated"
    # The station connected at its pending profile, now its registered one (the connection stays).
    SECURITY_PROFILE_UPGRADED = "security_profile_upgraded"


class Verdict(enum.Enum):
    """The answer to credentials presented at the WebSocket handshake."""

    ACCEPTED = "accepted"
    UNKNOWN_STATION = "unknown_station"
    WRONG_PASSWORD = "wrong_password"
    DISABLED = "disabled"
    PROFILE_TOO_LOW = "profile_too_low"


def check_group(group: str) -> None:
    """1..64 printable ASCII characters without spaces."""
    if not 1 <= len(group) <= GROUP_MAX_LENGTH or not all("!" <= c <= "~" for c in group):
        raise InvalidCredentials(f"group must be 1..{GROUP_MAX_LENGTH} printable ASCII characters without spaces")


def check_registration(registration: Registration) -> None:
    """Raises InvalidCredentials naming the first rule the registration breaks."""
    check_station_id(registration.station_id)
    check_security_profile(registration.security_profile)
    if registration.password or registration.security_profile != CERTIFICATE_PROFILE:
        check_password(registration.password)
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
    if changes.pending_password:
        check_password(changes.pending_password)
    if changes.pending_security_profile:
        check_security_profile(changes.pending_security_profile)


def registered(registration: Registration, hasher: PasswordHasher, now: datetime) -> StationRecord:
    """The record of a new station: enabled, the password hashed with a fresh salt (none for a profile 3
    station registered without one)."""
    return StationRecord(
        station_id=registration.station_id,
        password=hasher.hash(registration.password) if registration.password else None,
        security_profile=registration.security_profile,
        created_at=now,
        updated_at=now,
    )


def updated(
    record: StationRecord,
    group: str | None,
    changes: StationChanges,
    hasher: PasswordHasher,
    now: datetime,
    revision: int = 0,
) -> tuple[StationRecord, str | None]:
    """The record and group with the changes applied; a new (or pending) password is hashed with a fresh salt
    (as at registration). `updated_at` moves when anything changes, the group included; `revision` names a
    change of the pending credentials. Raises InvalidCredentials when the result breaks a rule that depends on
    the record: a pending profile must be higher than the registered one, and a station below profile 3 needs
    a password."""
    profile = record.security_profile if changes.security_profile is None else changes.security_profile
    password = hasher.hash(changes.password) if changes.password is not None else record.password
    if password is None and profile != CERTIFICATE_PROFILE:
        raise InvalidCredentials(f"a station at security profile {profile} needs a password: set one with the profile")
    # A password set outright ends a rotation under way (unless a new one is started in the same change).
    pending_password = None if changes.password is not None else record.pending_password
    if changes.pending_password is not None:
        if changes.pending_password and profile == CERTIFICATE_PROFILE:
            raise InvalidCredentials(
                "the station is at security profile 3 (its client certificate is its credential): no password rotation"
            )
        pending_password = hasher.hash(changes.pending_password) if changes.pending_password else None
    pending_profile = record.pending_security_profile
    if changes.pending_security_profile is not None:
        pending_profile = changes.pending_security_profile or None
        if pending_profile is not None and pending_profile <= profile:
            raise InvalidCredentials(
                f"pending_security_profile must be higher than the registered profile {profile}, got {pending_profile}"
            )
    elif pending_profile is not None and pending_profile <= profile:
        pending_profile = None  # the registered profile reached it
    changed = replace(
        record,
        password=password,
        security_profile=profile,
        enabled=record.enabled if changes.enabled is None else changes.enabled,
        pending_password=pending_password,
        pending_security_profile=pending_profile,
    )
    if _pending(changed) != _pending(record):
        changed = replace(changed, pending_revision=revision)
    new_group = group if changes.group is None else changes.group or None
    if (changed, new_group) == (record, group):
        return record, group
    return replace(changed, updated_at=now), new_group


def _pending(record: StationRecord) -> tuple[PasswordHash | None, int | None]:
    return record.pending_password, record.pending_security_profile


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
    if _pending(before) != _pending(after):
        changes.append(Change.PENDING_CREDENTIALS_CHANGED)
    return changes


@dataclass(frozen=True)
class Presented:
    """The verdict on what a station presented at its handshake and, when accepted, the promotions it earns
    (PASSWORD_ROTATED, SECURITY_PROFILE_UPGRADED; see `promoted`)."""

    verdict: Verdict
    promotions: tuple[Change, ...] = ()


def check_presented_profile(presented_profile: int) -> int:
    """The profile a connection proves: 0 (an edge that does not say) is 1. Raises InvalidCredentials outside
    0..3."""
    if presented_profile == 0:
        return 1
    check_security_profile(presented_profile)
    return presented_profile


def check_presented(
    record: StationRecord | None, password: str, presented_profile: int, hasher: PasswordHasher
) -> Presented:
    """The handshake rule (docs/adr/0028), `presented_profile` already checked (`check_presented_profile`):

    - unknown station: UNKNOWN_STATION;
    - presented < registered: PROFILE_TOO_LOW, decided before the password is looked at (no password oracle);
    - presented 3 and registered 3, or an upgrade to 3 pending: the certificate is the credential, any password
      is ignored;
    - otherwise the password must verify against the current or the pending one (WRONG_PASSWORD);
    - a disabled station with valid credentials: DISABLED (only the credential holder learns it);
    - accepted with the pending password: it becomes the password (PASSWORD_ROTATED); accepted at the pending
      profile or higher: it becomes the registered profile (SECURITY_PROFILE_UPGRADED).
    """
    if record is None:
        return Presented(Verdict.UNKNOWN_STATION)
    if presented_profile < record.security_profile:
        return Presented(Verdict.PROFILE_TOO_LOW)
    pending_profile = record.pending_security_profile
    upgrade = pending_profile is not None and presented_profile >= pending_profile
    certificate = presented_profile == CERTIFICATE_PROFILE and (
        record.security_profile == CERTIFICATE_PROFILE or pending_profile == CERTIFICATE_PROFILE
    )
    pending_matches = False
    if not certificate:
        # Both are computed whatever the first answers: the time taken does not tell which one matched.
        current_matches = record.password is not None and hasher.verify(password, record.password)
        pending_matches = record.pending_password is not None and hasher.verify(password, record.pending_password)
        if not (current_matches or pending_matches):
            return Presented(Verdict.WRONG_PASSWORD)
    if not record.enabled:
        return Presented(Verdict.DISABLED)
    promotions: list[Change] = []
    if pending_matches:
        promotions.append(Change.PASSWORD_ROTATED)
    if upgrade:
        promotions.append(Change.SECURITY_PROFILE_UPGRADED)
    return Presented(Verdict.ACCEPTED, tuple(promotions))


def promoted(record: StationRecord, promotions: Sequence[Change], now: datetime) -> StationRecord:
    """The record with these promotions made: the pending password becomes the password (the old one stops
    working), the pending profile the registered one."""
    changed = record
    if Change.PASSWORD_ROTATED in promotions and record.pending_password is not None:
        changed = replace(changed, password=record.pending_password, pending_password=None)
    if Change.SECURITY_PROFILE_UPGRADED in promotions and record.pending_security_profile is not None:
        changed = replace(changed, security_profile=record.pending_security_profile, pending_security_profile=None)
    return changed if changed == record else replace(changed, updated_at=now)
