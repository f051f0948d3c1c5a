"""In-memory fakes of the device-model ports, for unit tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.adapters.command_outbox import OutboxRow, dead, ready
from csms_device_model.adapters.command_store import decode_page_token, encode_page_token, micros
from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.domain.commands.record import CommandRecord, CommandState
from csms_device_model.domain.presence import CloseOldConnection, Presence
from csms_device_model.domain.provisioning import BootPolicy
from csms_device_model.ports import (
    RANKS,
    CommandExists,
    CredentialsRefused,
    EventPosition,
    OpenCommand,
    Outcome,
    PendingCommandEvent,
    Registration,
    ReportPart,
    shard_of,
)
from csms_kernel.outbox.relay import EventLogUnavailable


@dataclass
class InMemoryStationsRepository:
    presences: dict[str, Presence] = field(default_factory=dict)
    rows: dict[str, device_model_pb2.Station] = field(default_factory=dict)
    registrations: dict[str, str] = field(default_factory=dict)

    async def presence(self, station_id: str) -> Presence | None:
        return self.presences.get(station_id)

    async def registration(self, station_id: str) -> str | None:
        return self.registrations.get(station_id)

    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        return self.rows.get(station_id)

    async def stations(self, page_size: int, page_token: str) -> tuple[list[device_model_pb2.Station], str]:
        """One page of the rows; it issues no page tokens, so refuses any."""
        if page_token:
            raise ValueError("invalid page token")
        return list(self.rows.values())[:page_size], ""


@dataclass
class InMemoryProvisioning:
    """The boot policies (`BootPolicies`) and boot history (`BootHistory`) ports; `reads` counts policy reads."""

    policies: dict[str, tuple[BootPolicy, datetime]] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)
    history: dict[str, list[device_model_pb2.StationBoot]] = field(default_factory=dict)
    reads: int = 0

    async def boot_policy(self, station_id: str) -> BootPolicy | None:
        self.reads += 1
        found = self.policies.get(station_id)
        return found[0] if found else None

    async def boot_policy_set_at(self, station_id: str) -> tuple[BootPolicy, datetime] | None:
        return self.policies.get(station_id)

    async def set_boot_policy(self, station_id: str, policy: BootPolicy, at: datetime) -> None:
        self.policies[station_id] = (policy, at)

    async def registration(self, station_id: str) -> Registration | None:
        return self.registrations.get(station_id)

    async def boots(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.StationBoot], str]:
        """Pages by position (the token is the next index as text)."""
        try:
            start = int(page_token or "0")
        except ValueError as exc:
            raise ValueError("invalid page token") from exc
        boots = self.history.get(station_id, [])
        page = boots[start : start + page_size]
        return page, str(start + page_size) if start + page_size < len(boots) else ""


@dataclass
class RecordingCloser:
    closed: list[tuple[str, CloseOldConnection]] = field(default_factory=list)

    async def close(self, station_id: str, old: CloseOldConnection) -> None:
        self.closed.append((station_id, old))


@dataclass
class ScriptedEdge:
    outcome: Outcome | Exception
    calls: list[tuple[Presence, str, str, str, float]] = field(default_factory=list)

    async def send_call(
        self, presence: Presence, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> Outcome:
        self.calls.append((presence, station_id, action, payload_json, timeout_s))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@dataclass
class ScriptedEdges:
    """Answers each CALL with the next of `outcomes` (an Outcome, an exception to raise, or a callable of the
    call's action and payload returning one); records the calls, and the most CALLs in flight at once. `gate`,
    when set, holds every CALL until it is set."""

    outcomes: list[Outcome | Exception | Callable[[str, str], Outcome]] = field(default_factory=list)
    calls: list[tuple[str, str, str, float]] = field(default_factory=list)
    gate: asyncio.Event | None = None
    in_flight: int = 0
    most_in_flight: int = 0

    async def send_call(
        self, presence: Presence, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> Outcome:
        self.calls.append((station_id, action, payload_json, timeout_s))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            outcome = self.outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome(action, payload_json) if callable(outcome) else outcome
        finally:
            self.in_flight -= 1


@dataclass
class InMemoryStationCredentials:
    """The station registry's credentials: registered profiles, the pending password / profile of each station
    (as the registry keeps them: "" / 0 when none), and every change asked for in order. `failure`, when set, is
    raised by the next call instead."""

    profiles: dict[str, int] = field(default_factory=dict)
    pending_passwords: dict[str, str] = field(default_factory=dict)
    pending_profiles: dict[str, int] = field(default_factory=dict)
    changes: list[tuple[str, str, CredentialChange]] = field(default_factory=list)
    failure: Exception | None = None

    async def registered_profile(self, station_id: str) -> int:
        self._fail()
        if station_id not in self.profiles:
            raise CredentialsRefused(f"station {station_id} is not registered")
        return self.profiles[station_id]

    async def set_pending(self, station_id: str, change: CredentialChange) -> None:
        self._fail()
        self.changes.append(("set", station_id, change))
        if change.password is not None:
            self.pending_passwords[station_id] = change.password
        if change.security_profile is not None:
            self.pending_profiles[station_id] = change.security_profile

    async def cancel_pending(self, station_id: str, change: CredentialChange) -> None:
        self._fail()
        self.changes.append(("cancel", station_id, change))
        if change.password is not None:
            self.pending_passwords[station_id] = ""
        if change.security_profile is not None:
            self.pending_profiles[station_id] = 0

    def _fail(self) -> None:
        failure, self.failure = self.failure, None
        if failure is not None:
            raise failure


@dataclass
class InMemoryCommandStore:
    """Command records and their indexes; a change is a compare-and-set on the state, preceded by its outbox
    row, as in Cassandra."""

    records: dict[str, CommandRecord] = field(default_factory=dict)
    by_station: dict[str, set[tuple[int, str]]] = field(default_factory=dict)
    queues: dict[str, set[tuple[int, str]]] = field(default_factory=dict)
    open: dict[str, OpenCommand] = field(default_factory=dict)
    outbox: set[OutboxRow] = field(default_factory=set)

    async def create(self, record: CommandRecord) -> None:
        if record.command_id in self.records:
            raise CommandExists(f"command {record.command_id} exists already")
        self.records[record.command_id] = record
        await self.index(record)

    async def index(self, record: CommandRecord) -> None:
        key = (micros(record.created_at), record.command_id)
        self.by_station.setdefault(record.station_id, set()).add(key)
        self.open[record.command_id] = OpenCommand(record.command_id, record.station_id)
        self.outbox.add(self._row(record))
        if record.queue_if_offline:
            self.queues.setdefault(record.station_id, set()).add(key)

    async def get(self, command_id: str) -> CommandRecord | None:
        return self.records.get(command_id)

    async def change(self, before: CommandState, after: CommandRecord) -> bool:
        self.outbox.add(self._row(after))
        if self.records[after.command_id].state is not before:
            return False
        self.records[after.command_id] = after
        return True

    async def finish(self, record: CommandRecord) -> None:
        self.open.pop(record.command_id, None)
        self.queues.get(record.station_id, set()).discard((micros(record.created_at), record.command_id))

    async def station_commands(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[CommandRecord], str]:
        keys = sorted(self.by_station.get(station_id, set()), reverse=True)
        if page_token:
            after = decode_page_token(page_token)
            keys = [key for key in keys if key < after]
        page = keys[:page_size]
        token = encode_page_token(*page[-1]) if len(page) == page_size else ""
        return [self.records[command_id] for _, command_id in page], token

    async def queued(self, station_id: str) -> list[str]:
        return [command_id for _, command_id in sorted(self.queues.get(station_id, set()))]

    async def open_commands(self) -> Sequence[OpenCommand]:
        return list(self.open.values())

    @staticmethod
    def _row(record: CommandRecord) -> OutboxRow:
        return OutboxRow(
            shard_of(record.station_id),
            micros(record.created_at),
            record.command_id,
            RANKS[record.state],
            record.station_id,
        )


@dataclass
class InMemoryCommandOutbox:
    """The outbox rows of an `InMemoryCommandStore`, read as the Cassandra outbox reads them."""

    store: InMemoryCommandStore

    async def pending(self, per_shard: int) -> list[PendingCommandEvent]:
        found = []
        for row in sorted(self.store.outbox, key=lambda r: (r.shard, r.created_us, r.command_id, r.rank)):
            record = self.store.records.get(row.command_id)
            pending = ready(row, record)
            if pending is not None:
                found.append(pending)
            elif dead(row, record):
                self.store.outbox.discard(row)
        return found

    async def remove(self, events: Sequence[PendingCommandEvent]) -> None:
        for e in events:
            self.store.outbox.discard(OutboxRow(e.shard, e.created_us, e.command_id, e.rank, e.station_id))


@dataclass
class RecordingDeviceModelEvents:
    """The events published, decoded; the next `failures` publications fail."""

    published: list[device_model_pb2.DeviceModelEvent] = field(default_factory=list)
    failures: int = 0

    async def publish(self, events: Sequence[PendingCommandEvent]) -> None:
        if self.failures:
            self.failures -= 1
            raise EventLogUnavailable("kafka down")
        self.published += [device_model_pb2.DeviceModelEvent.FromString(e.event) for e in events]

    def states(self) -> list[tuple[str, str | None]]:
        """(command id, event) of each published event, in order."""
        return [(_command_of(e).command_id, e.WhichOneof("event")) for e in self.published]


def _command_of(event: device_model_pb2.DeviceModelEvent) -> device_model_pb2.Command:
    which = event.WhichOneof("event")
    command: device_model_pb2.Command = getattr(event, which or "").command
    return command


@dataclass
class InMemoryDisplayAndTransfers:
    """The display messages and the DataTransfer log as given; pages by index (the token is the next index)."""

    messages: dict[str, list[device_model_pb2.DisplayMessage]] = field(default_factory=dict)
    transfers: dict[str, list[device_model_pb2.DataTransfer]] = field(default_factory=dict)

    async def display_messages(self, station_id: str) -> list[device_model_pb2.DisplayMessage]:
        return sorted(self.messages.get(station_id, []), key=lambda m: m.id)

    async def data_transfers(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.DataTransfer], str]:
        if page_token and not page_token.isdigit():
            raise ValueError("invalid page token")
        start = int(page_token or 0)
        found = self.transfers.get(station_id, [])
        end = start + page_size
        return found[start:end], str(end) if end < len(found) else ""


@dataclass
class InMemoryMonitoringReads:
    """`MonitoringReads` over lists set by the test: events (kept newest first, as the table orders them),
    monitors and report parts per station."""

    events: dict[str, list[device_model_pb2.StationEvent]] = field(default_factory=dict)
    monitor_rows: dict[str, list[device_model_pb2.Monitor]] = field(default_factory=dict)
    report_parts: dict[str, list[ReportPart]] = field(default_factory=dict)
    information_parts: dict[tuple[str, int], list[ReportPart]] = field(default_factory=dict)
    monitor_reads: int = 0

    async def station_events(
        self, station_id: str, limit: int, after: EventPosition | None, since: datetime | None
    ) -> list[device_model_pb2.StationEvent]:
        def key(event: device_model_pb2.StationEvent) -> tuple[datetime, int, bool]:
            return (event.event.timestamp.ToDatetime(UTC), event.event.event_id, event.event.cleared)

        found = sorted(self.events.get(station_id, []), key=key, reverse=True)
        if after is not None:
            found = [e for e in found if key(e) < (after.occurred_at, after.event_id, after.cleared)]
        if since is not None:
            found = [e for e in found if key(e)[0] >= since]
        return [device_model_pb2.StationEvent.FromString(e.SerializeToString()) for e in found[:limit]]

    async def monitors(self, station_id: str) -> list[device_model_pb2.Monitor]:
        self.monitor_reads += 1
        return list(self.monitor_rows.get(station_id, []))

    async def monitoring_report_parts(self, station_id: str) -> list[ReportPart]:
        return list(self.report_parts.get(station_id, []))

    async def customer_information_parts(self, station_id: str, request_id: int) -> list[ReportPart]:
        return sorted(self.information_parts.get((station_id, request_id), []), key=lambda part: part.seq_no)
