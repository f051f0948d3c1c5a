"""The AuthorizationServicer over in-memory fakes, a fixed clock and fixed salts, the outbox relay over the
same fakes, and a gRPC context fake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.registry import StationRegistryRepository
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.app.local_list_service import LocalListService
from csms_authorization.app.outbox_relay import OutboxRelay
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.credentials import PasswordHasher
from unit.authorization.fakes import (
    FakeLease,
    InMemoryLocalListStore,
    InMemoryStationRegistry,
    InMemoryTokenStore,
    RecordingEventLog,
)
from unit.kernel.clients.fakes import FakeStationCalls

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Aborted(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details


class FakeContext:
    async def abort(self, code: grpc.StatusCode, details: str = "") -> NoReturn:
        raise Aborted(code, details)


CONTEXT: Any = FakeContext()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Service:
    """A servicer and the fakes behind it."""

    registry: StationRegistryRepository = field(default_factory=InMemoryStationRegistry)
    tokens: InMemoryTokenStore = field(default_factory=InMemoryTokenStore)
    local_list: InMemoryLocalListStore = field(default_factory=InMemoryLocalListStore)
    events: RecordingEventLog = field(default_factory=RecordingEventLog)
    stations: FakeStationCalls = field(default_factory=FakeStationCalls)
    clock: Clock = field(default_factory=Clock)
    hasher: PasswordHasher = field(default_factory=lambda: PasswordHasher(b"pepper", lambda n: b"\x07" * n))

    @property
    def servicer(self) -> AuthorizationServicer:
        return AuthorizationServicer(
            self.registry,
            self.hasher,
            self.clock,
            tokens=self.tokens,
            token_service=TokenService(self.tokens, self.local_list, self.clock),
            local_lists=LocalListService(
                self.registry, self.local_list, self.stations, self.clock, concurrency=4, default_timeout_s=30.0
            ),
        )

    async def published(self) -> list[pb.AuthorizationEvent]:
        """Every event the outbox relay has published, after a pass over what is waiting now."""
        await OutboxRelay(self.tokens.outbox, FakeLease(), self.events).relay_pending()
        return self.events.published
