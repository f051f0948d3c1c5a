"""Managing registered stations: register, read, list, change, delete, and the verdict on credentials presented
at the WebSocket handshake, with the promotion of a pending password or profile the station presents
(docs/adr/0028): claimed once among concurrent verifications, written with its `StationCredentialsChanged`
(PASSWORD_ROTATED / SECURITY_PROFILE_UPGRADED) and its CSMS security events (`password_rotated`,
`security_profile_upgraded`, for `csms.security.events.v1`) in one request.

A change of who may connect as a station (registered, disabled or enabled, new password or security profile,
deleted) is stored together with its `StationCredentialsChanged` event (the station outbox: the registry writes
both in one request) and the station outbox relay is woken to publish it; every edge node then forgets its
cached verdicts of the station and closes a connection that lost its right (docs/adr/0021). Such changes are
logged as security events. Registering a station that exists changes nothing.

No I/O of its own: the registry, hasher, clock and the relay's wake-up are injected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.app.revisions import Revisions, to_ms
from csms_authorization.domain.credentials import InvalidCredentials, PasswordHasher, check_station_id
from csms_authorization.domain.stations import (
    Change,
    Registration,
    StationChanges,
    StationRecord,
    Verdict,
    changes_between,
    check_changes,
    check_group,
    check_presented,
    check_presented_profile,
    check_registration,
    promoted,
    registered,
    updated,
)
from csms_authorization.ports import PendingEvent, StationRegistryRepository
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.security.events import csms_event
from csms_kernel.telemetry.security_log import security_event

log = logging.getLogger(__name__)

CHANGES: dict[Change, pb.StationChange.ValueType] = {
    Change.REGISTERED: pb.STATION_CHANGE_REGISTERED,
    Change.DISABLED: pb.STATION_CHANGE_DISABLED,
    Change.ENABLED: pb.STATION_CHANGE_ENABLED,
    Change.DELETED: pb.STATION_CHANGE_DELETED,
    Change.PASSWORD_CHANGED: pb.STATION_CHANGE_PASSWORD_CHANGED,
    Change.SECURITY_PROFILE_CHANGED: pb.STATION_CHANGE_SECURITY_PROFILE_CHANGED,
    Change.PENDING_CREDENTIALS_CHANGED: pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED,
    Change.PASSWORD_ROTATED: pb.STATION_CHANGE_PASSWORD_ROTATED,
    Change.SECURITY_PROFILE_UPGRADED: pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED,
}


@dataclass(frozen=True)
class RegisteredStation:
    record: StationRecord
    group: str | None


def _nothing() -> None:
    pass


class StationService:
    def __init__(
        self,
        registry: StationRegistryRepository,
        hasher: PasswordHasher,
        clock: Callable[[], datetime],
        changed: Callable[[], None] = _nothing,
    ) -> None:
        self._registry = registry
        self._hasher = hasher
        self._clock = clock
        self._changed = changed
        self._revisions = Revisions(clock)

    async def register(self, registration: Registration) -> bool:
        """Registers a new station (enabled); False, and nothing changed, when the id is registered already.
        Raises InvalidCredentials. Two concurrent first registrations of one id may both answer True (the one
        with the higher revision is stored)."""
        check_registration(registration)
        if await self._registry.get(registration.station_id) is not None:
            return False
        now = to_ms(self._clock())
        record = registered(registration, self._hasher, now)
        revision = self._revisions.next()
        event = self._event(record.station_id, now, revision, [Change.REGISTERED])
        await self._registry.save(record, revision, event)
        self._changed()
        if registration.group is not None:
            await self._registry.set_group(record.station_id, registration.group, revision)
        security_event(
            "station_registered",
            station_id=record.station_id,
            security_profile=record.security_profile,
            group=registration.group,
        )
        return True

    async def get(self, station_id: str) -> RegisteredStation | None:
        record = await self._registry.get(station_id)
        if record is None:
            return None
        return RegisteredStation(record, (await self._registry.groups([station_id])).get(station_id))

    async def update(self, station_id: str, changes: StationChanges) -> RegisteredStation | None:
        """Applies the fields that are set; None when the station is not registered. Raises InvalidCredentials."""
        check_changes(changes)
        current = await self.get(station_id)
        if current is None:
            return None
        now = to_ms(self._clock())
        revision = self._revisions.next()
        record, group = updated(current.record, current.group, changes, self._hasher, now, revision)
        if (record, group) == (current.record, current.group):
            return current
        credential_changes = changes_between(current.record, record)
        if credential_changes:
            await self._registry.save(record, revision, self._event(station_id, now, revision, credential_changes))
            self._changed()
            security_event(
                "station_credentials_changed",
                station_id=station_id,
                changes=",".join(change.value for change in credential_changes),
            )
        else:
            await self._registry.save(record, revision)
        if group != current.group:
            await self._registry.set_group(station_id, group, revision)
        return RegisteredStation(record, group)

    async def delete(self, station_id: str) -> bool:
        """False when the station was not registered."""
        if await self._registry.get(station_id) is None:
            return False
        revision = self._revisions.next()
        await self._registry.delete(
            station_id, self._event(station_id, to_ms(self._clock()), revision, [Change.DELETED])
        )
        self._changed()
        security_event("station_credentials_changed", station_id=station_id, changes=Change.DELETED.value)
        return True

    async def list_page(
        self, page_size: int, page_token: bytes | None, group: str | None = None
    ) -> tuple[list[RegisteredStation], bytes | None]:
        """Raises InvalidCredentials for a group that breaks the rules, InvalidPageToken for a foreign token."""
        if group is not None:
            check_group(group)
        records, next_token = await self._registry.list_page(page_size, page_token, group)
        groups = (
            {record.station_id: group for record in records}
            if group is not None
            else await self._registry.groups([record.station_id for record in records])
        )
        return [RegisteredStation(record, groups.get(record.station_id)) for record in records], next_token

    async def verify(
        self, station_id: str, password: str, presented_profile: int = 1
    ) -> tuple[Verdict, StationRecord | None]:
        """The verdict on what a station presented (HTTP Basic password, the profile its connection proves),
        and the record when there is one, after any promotion this verification made. Raises InvalidCredentials
        for a presented profile outside 0..3."""
        presented = check_presented_profile(presented_profile)
        try:
            check_station_id(station_id)
        except InvalidCredentials:  # such a station cannot have been registered
            return Verdict.UNKNOWN_STATION, None
        record = await self._registry.get(station_id)
        outcome = check_presented(record, password, presented, self._hasher)
        if record is None or not outcome.promotions:
            return outcome.verdict, record
        return outcome.verdict, await self._promote(record, outcome.promotions)

    async def _promote(self, record: StationRecord, promotions: Sequence[Change]) -> StationRecord:
        """Makes the promotions this verification claims first; the ones another verification claimed are its
        to write (the answer is the same: the credentials were valid)."""
        won = [
            promotion
            for promotion in promotions
            if await self._registry.claim_promotion(record.station_id, record.pending_revision, promotion)
        ]
        now = to_ms(self._clock())
        after = promoted(record, promotions, now)
        if not won:
            return after
        written = promoted(record, won, now)
        revision = self._revisions.next()
        security_events = [self._security_event(record, written, promotion, now, revision) for promotion in won]
        try:
            await self._registry.promote(
                written, won, revision, self._event(record.station_id, now, revision, won), security_events
            )
        except RetryableError as exc:
            # The credentials were valid: the station is accepted all the same, and the promotion is made by a
            # verification after the claim expired (both passwords keep working until then).
            log.warning("promotion of %s not written (%s); retried after the claim expires", record.station_id, exc)
            return record
        self._changed()
        return after

    def _security_event(
        self, before: StationRecord, after: StationRecord, promotion: Change, now: datetime, revision: int
    ) -> PendingEvent:
        if promotion is Change.PASSWORD_ROTATED:
            recorded = csms_event(
                "password_rotated",
                before.station_id,
                "the station connected with its pending password, now its only one",
                now=now,
            )
        else:
            recorded = csms_event(
                "security_profile_upgraded",
                before.station_id,
                f"the station connected at security profile {after.security_profile}, now its registered one",
                details={
                    "previous_security_profile": str(before.security_profile),
                    "security_profile": str(after.security_profile),
                },
                now=now,
            )
        return PendingEvent.of(before.station_id, revision, recorded)

    def _event(self, station_id: str, at: datetime, revision: int, changes: Sequence[Change]) -> PendingEvent:
        message = pb.StationCredentialsChanged(
            station_id=station_id,
            occurred_at=timestamp(at),
            revision=revision,
            changes=[CHANGES[change] for change in changes],
        )
        return PendingEvent.of(station_id, revision, message)
