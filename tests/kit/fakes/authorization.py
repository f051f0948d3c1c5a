"""In-memory fakes of the authorization service's ports, for unit tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from csms.authorization.v1 import authorization_pb2
from csms_authorization.adapters.store import InvalidPageToken, StoreUnavailable
from csms_authorization.domain.credentials import check_stored_station_id
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.domain.stations import Change, StationRecord
from csms_authorization.domain.tokens import TokenRecord, check_id_token
from csms_authorization.ports import (
    ListEntry,
    ListSnapshot,
    PendingEvent,
    StationListVersion,
)
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_kernel.projecting.writes import Write


def _after(page_token: bytes | None, check: Any) -> str:
    if page_token is None:
        return ""
    try:
        after = page_token.decode("utf-8")
        check(after)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidPageToken("page token is not one this store issued") from exc
    return after


class InMemoryStationRegistry:
    """Stations in a dict; pages in station id order, the token being the last id of the previous page. A change
    and its event are stored together; a change older than the station's last one (by revision) is shadowed, as
    in Cassandra (per record; a promotion writes its fields only). Claims of promotions never expire."""

    def __init__(self, outbox: InMemoryOutbox | None = None, security_outbox: InMemoryOutbox | None = None) -> None:
        self.records: dict[str, StationRecord] = {}
        self.group_of: dict[str, str] = {}
        self.outbox = outbox or InMemoryOutbox()
        self.security_outbox = security_outbox or InMemoryOutbox()
        self.claims: set[tuple[str, int, Change]] = set()
        self._revisions: dict[str, int] = {}

    async def get(self, station_id: str) -> StationRecord | None:
        return self.records.get(station_id)

    async def save(self, record: StationRecord, revision: int, event: PendingEvent | None = None) -> None:
        if event is not None:
            self.outbox.add(event)
        if self._newer(record.station_id, revision):
            self.records[record.station_id] = record

    async def claim_promotion(self, station_id: str, pending_revision: int, promotion: Change) -> bool:
        claim = (station_id, pending_revision, promotion)
        if claim in self.claims:
            return False
        self.claims.add(claim)
        return True

    async def promote(
        self,
        record: StationRecord,
        promotions: Sequence[Change],
        revision: int,
        event: PendingEvent,
        security_events: Sequence[PendingEvent],
    ) -> None:
        self.outbox.add(event)
        for security_event in security_events:
            self.security_outbox.add(security_event)
        current = self.records.get(record.station_id)
        if current is None or not self._newer(record.station_id, revision):
            return
        if Change.PASSWORD_ROTATED in promotions:
            current = replace(current, password=record.password, pending_password=record.pending_password)
        if Change.SECURITY_PROFILE_UPGRADED in promotions:
            current = replace(
                current,
                security_profile=record.security_profile,
                pending_security_profile=record.pending_security_profile,
            )
        self.records[record.station_id] = replace(current, updated_at=record.updated_at)

    async def delete(self, station_id: str, event: PendingEvent) -> None:
        self.outbox.add(event)
        if self._newer(station_id, event.revision):
            self.records.pop(station_id, None)
            self.group_of.pop(station_id, None)

    def _newer(self, station_id: str, revision: int) -> bool:
        if revision <= self._revisions.get(station_id, -1):
            return False
        self._revisions[station_id] = revision
        return True

    async def list_page(
        self, page_size: int, page_token: bytes | None, group: str | None = None
    ) -> tuple[list[StationRecord], bytes | None]:
        after = _after(page_token, check_stored_station_id)
        candidates = self.records if group is None else [s for s, g in self.group_of.items() if g == group]
        ids = sorted(i for i in candidates if i > after)[:page_size]
        next_token = ids[-1].encode() if len(ids) == page_size else None
        return [self.records[i] for i in ids if i in self.records], next_token

    async def set_group(self, station_id: str, group: str | None, revision: int) -> None:
        if group is None:
            self.group_of.pop(station_id, None)
        else:
            self.group_of[station_id] = group

    async def groups(self, station_ids: Sequence[str]) -> dict[str, str]:
        return {s: self.group_of[s] for s in station_ids if s in self.group_of}

    async def stations_in_group(self, group: str) -> list[str]:
        return sorted(s for s, g in self.group_of.items() if g == group)


class InMemoryOutbox:
    """Waiting events in a set; `down` makes every call fail like an unreachable Cassandra."""

    def __init__(self) -> None:
        self.events: set[PendingEvent] = set()
        self.down = False

    def add(self, event: PendingEvent) -> None:
        self._check()
        self.events.add(event)

    async def pending(self, per_shard: int) -> list[PendingEvent]:
        self._check()
        by_shard: dict[int, list[PendingEvent]] = {}
        for event in sorted(self.events):
            by_shard.setdefault(event.shard, []).append(event)
        chosen = [e for events in by_shard.values() for e in events[:per_shard]]
        return chosen[::-1]  # in no particular order, as Cassandra's partitions: the relay sorts

    async def remove(self, events: Sequence[PendingEvent]) -> None:
        self._check()
        self.events.difference_update(events)

    def _check(self) -> None:
        if self.down:
            raise StoreUnavailable("outbox down")


class InMemoryTokenStore:
    """Tokens in a dict; a change and its event are stored together (both or, when the outbox is down,
    neither); a change older than the token's last one (by revision) is shadowed, as in Cassandra."""

    def __init__(self, outbox: InMemoryOutbox | None = None) -> None:
        self.records: dict[str, TokenRecord] = {}
        self.outbox = outbox or InMemoryOutbox()
        self._revisions: dict[str, int] = {}

    async def get(self, key: str) -> TokenRecord | None:
        return self.records.get(key)

    async def save(self, record: TokenRecord, event: PendingEvent) -> None:
        if self._change(record.key, event):
            self.records[record.key] = record

    async def delete(self, key: str, event: PendingEvent) -> None:
        if self._change(key, event):
            self.records.pop(key, None)

    def _change(self, key: str, event: PendingEvent) -> bool:
        """Queues the event; whether the change is newer than the token's last one."""
        self.outbox.add(event)
        if event.revision <= self._revisions.get(key, -1):
            return False
        self._revisions[key] = event.revision
        return True

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[TokenRecord], bytes | None]:
        after = _after(page_token, check_id_token)
        keys = sorted(k for k in self.records if k > after)[:page_size]
        next_token = keys[-1].encode() if len(keys) == page_size else None
        return [self.records[k] for k in keys], next_token


class InMemoryLocalListStore:
    def __init__(self) -> None:
        self.version = 0
        self.entries: dict[str, ListEntry] = {}
        self.stations: dict[str, StationListVersion] = {}

    async def record_change(self, token: TokenRecord, in_list: bool) -> int:
        self.version += 1
        self.entries[token.key] = ListEntry(self.version, token, not in_list)
        return self.version

    async def snapshot(self) -> ListSnapshot:
        return ListSnapshot(self.version, list(self.entries.values()))

    async def station_version(self, station_id: str) -> StationListVersion | None:
        return self.stations.get(station_id)

    async def record_station_version(self, station_id: str, version: int, at: datetime) -> None:
        self.stations[station_id] = StationListVersion(version, at)


@dataclass
class InMemoryActiveSessions:
    """Token keys with an active session: given in `active`, or written by `apply` (a `Writer` of the
    projection's `session_writes`: per token, station and transaction the write with the latest timestamp
    wins, a delete winning a tie, as in Cassandra)."""

    active: set[str] = field(default_factory=set)
    rows: dict[tuple[str, str, str], tuple[int, bool]] = field(default_factory=dict)

    async def has_active(self, key: str) -> bool:
        return key in self.active or any(ongoing for (k, _, _), (_, ongoing) in self.rows.items() if k == key)

    async def apply(self, writes: Sequence[Write]) -> None:
        for write in writes:
            if write.cql.startswith("INSERT"):
                key, station_id, transaction_id, at = write.params
            else:
                at, key, station_id, transaction_id = write.params
            row = (str(key), str(station_id), str(transaction_id))
            ongoing = write.cql.startswith("INSERT")
            at_us = int(str(at))
            latest = self.rows.get(row)
            if latest is None or (at_us, not ongoing) > (latest[0], not latest[1]):
                self.rows[row] = (at_us, ongoing)


@dataclass
class RecordingEventLog:
    """The events appended, decoded with `decode` (token events by default); the next `failures` publications
    fail after appending the first `appended_before_failing` of their events (Kafka acknowledging part of them)."""

    published: list[Any] = field(default_factory=list)
    failures: int = 0
    appended_before_failing: int = 0
    decode: Callable[[bytes], Message] = authorization_pb2.AuthorizationEvent.FromString

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        if self.failures:
            self.failures -= 1
            self._append(events[: self.appended_before_failing])
            raise EventLogUnavailable("kafka down")
        self._append(events)

    def _append(self, events: Sequence[PendingEvent]) -> None:
        self.published += [self.decode(e.event) for e in events]


class InMemoryReservationStore:
    """The `ReservationStore` port in memory: reservations by (station, reservation id)."""

    def __init__(self, *reservations: Reservation) -> None:
        self.records = {(r.station_id, r.reservation_id): r for r in reservations}

    async def of_station(self, station_id: str) -> list[Reservation]:
        return sorted((r for r in self.records.values() if r.station_id == station_id), key=lambda r: r.reservation_id)

    async def every(self, limit: int) -> list[Reservation]:
        return sorted(self.records.values(), key=lambda r: (r.station_id, r.reservation_id))[:limit]

    async def create(self, reservation: Reservation) -> bool:
        if (reservation.station_id, reservation.reservation_id) in self.records:
            return False
        await self.save(reservation)
        return True

    async def save(self, reservation: Reservation) -> None:
        self.records[reservation.station_id, reservation.reservation_id] = reservation

    async def set_status(self, station_id: str, reservation_id: int, status: ReservationStatus) -> bool:
        known = self.records.get((station_id, reservation_id))
        if known is None:
            return False
        self.records[station_id, reservation_id] = replace(known, status=status)
        return True


@dataclass
class ScriptedReservationCommands:
    """The `ReservationCommands` port: answers by command name (a status, None for no answer, or an exception to
    raise), recording (station, command, params, idempotency key); a repeated key is answered without recording a
    second send, as device-model does. `before_answer` runs while a command is in flight (concurrency tests)."""

    answers: dict[str, str | Exception | None] = field(default_factory=dict)
    sent: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    before_answer: Callable[[], Awaitable[None]] | None = None

    async def send(
        self, station_id: str, command: str, params: dict[str, Any], idempotency_key: str, wait_s: float
    ) -> str | None:
        if all(key != idempotency_key for *_, key in self.sent):
            self.sent.append((station_id, command, params, idempotency_key))
        self.waits.append(wait_s)
        if self.before_answer is not None:
            await self.before_answer()
        answer = self.answers.get(command, "accepted")
        if isinstance(answer, Exception):
            raise answer
        return answer
