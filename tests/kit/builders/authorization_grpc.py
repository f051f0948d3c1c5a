"""The AuthorizationServicer over in-memory fakes, a fixed clock and fixed salts, and the outbox relay over the
same fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from csms.authorization.v1 import authorization_pb2 as pb
from csms.security.v1 import security_pb2
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.bootstrap import build
from csms_authorization.domain.credentials import PasswordHasher
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.outbox.relay import OutboxRelay
from kit.fakes.authorization import (
    InMemoryActiveSessions,
    InMemoryLocalListStore,
    InMemoryReservationStore,
    InMemoryStationRegistry,
    InMemoryTokenStore,
    RecordingEventLog,
    ScriptedReservationCommands,
)
from kit.fakes.outbox import FakeLease
from kit.fakes.station_calls import FakeStationCalls

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = AuthorizationSettings(local_list_push_concurrency=4, local_list_call_timeout_s=30.0)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Service:
    """A servicer and the fakes behind it."""

    registry: InMemoryStationRegistry = field(default_factory=InMemoryStationRegistry)
    tokens: InMemoryTokenStore = field(default_factory=InMemoryTokenStore)
    local_list: InMemoryLocalListStore = field(default_factory=InMemoryLocalListStore)
    reservations: InMemoryReservationStore = field(default_factory=InMemoryReservationStore)
    reservation_commands: ScriptedReservationCommands = field(default_factory=ScriptedReservationCommands)
    events: RecordingEventLog = field(default_factory=RecordingEventLog)
    station_events: RecordingEventLog = field(
        default_factory=lambda: RecordingEventLog(decode=pb.StationCredentialsChanged.FromString)
    )
    security_events: RecordingEventLog = field(
        default_factory=lambda: RecordingEventLog(decode=security_pb2.SecurityEventRecorded.FromString)
    )
    stations: FakeStationCalls = field(default_factory=FakeStationCalls)
    clock: Clock = field(default_factory=Clock)
    hasher: PasswordHasher = field(default_factory=lambda: PasswordHasher(b"pepper", lambda n: b"\x07" * n))

    @property
    def servicer(self) -> AuthorizationServicer:
        """The servicer of the wired service over these fakes (call it inside the event loop)."""
        api = build(
            SETTINGS,
            registry=self.registry,
            tokens=self.tokens,
            local_list=self.local_list,
            outbox=self.tokens.outbox,
            lease=FakeLease(),
            event_log=self.events,
            station_outbox=self.registry.outbox,
            station_lease=FakeLease(),
            station_event_log=self.station_events,
            security_outbox=self.registry.security_outbox,
            security_lease=FakeLease(),
            security_event_log=self.security_events,
            sessions=InMemoryActiveSessions(),
            reservations=self.reservations,
            reservation_commands=self.reservation_commands,
            station_calls=self.stations,
            hasher=self.hasher,
            clock=self.clock,
        ).grpc
        assert api is not None
        servicer: AuthorizationServicer = api.servicer
        return servicer

    async def published(self) -> list[pb.AuthorizationEvent]:
        """Every event the outbox relay has published, after a pass over what is waiting now."""
        await OutboxRelay(self.tokens.outbox, FakeLease(), self.events).relay_pending()
        return self.events.published

    async def station_changes(self) -> list[pb.StationCredentialsChanged]:
        """Every station credentials event the station outbox relay has published, after a pass."""
        await OutboxRelay(self.registry.outbox, FakeLease(), self.station_events).relay_pending()
        return self.station_events.published

    async def security_published(self) -> list[security_pb2.SecurityEventRecorded]:
        """Every CSMS security event the security outbox relay has published, after a pass."""
        await OutboxRelay(self.registry.security_outbox, FakeLease(), self.security_events).relay_pending()
        return self.security_events.published
