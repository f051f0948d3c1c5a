"""The api service as `build()` wires it, over in-memory fakes, with an HTTP client on its ASGI app (no socket),
API keys of each scope, and a fixed clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from csms_api.adapters.http_server import HttpServer
from csms_api.api.app import ApiPart
from csms_api.api.context import ApiContext
from csms_api.bootstrap import build
from csms_api.domain.keys import Scope
from csms_api.settings import ApiSettings
from csms_kernel.infra.lifecycle import Service
from kit.fakes.api import (
    FakeAuthorization,
    FakeCheck,
    FakeDeviceModel,
    FakeFirmware,
    FakeSecurity,
    FakeSmartCharging,
    FakeTransactions,
    InMemoryApiKeyStore,
)

NOW = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)
BASE_URL = "http://api.test"


@dataclass
class Api:
    """The wired api service over fakes; `client(key)` talks to its app."""

    settings: ApiSettings = field(default_factory=lambda: ApiSettings(port=0, key_cache_s=0))
    keys: InMemoryApiKeyStore = field(default_factory=InMemoryApiKeyStore)
    authorization: FakeAuthorization = field(default_factory=FakeAuthorization)
    device_model: FakeDeviceModel = field(default_factory=FakeDeviceModel)
    transactions: FakeTransactions = field(default_factory=FakeTransactions)
    security: FakeSecurity = field(default_factory=FakeSecurity)
    firmware: FakeFirmware = field(default_factory=FakeFirmware)
    smart_charging: FakeSmartCharging = field(default_factory=FakeSmartCharging)
    checks: list[FakeCheck] = field(default_factory=lambda: [FakeCheck("authorization"), FakeCheck("cassandra")])
    parts: Sequence[ApiPart] = ()
    now: datetime = NOW

    def __post_init__(self) -> None:
        self.service: Service = build(
            self.settings,
            keys=self.keys,
            authorization=self.authorization,
            device_model=self.device_model,
            transactions=self.transactions,
            security=self.security,
            firmware=self.firmware,
            smart_charging=self.smart_charging,
            checks=self.checks,
            parts=self.parts,
            clock=lambda: self.now,
        )
        self.server = next(r for r in self.service.resources if isinstance(r, HttpServer))
        self.app: FastAPI = self.server.app
        self.context: ApiContext = self.app.state.context

    async def key(self, scope: Scope = Scope.ADMIN, name: str = "test") -> str:
        """A new key of `scope`."""
        _, key = await self.context.keys.create(name, scope)
        return key

    def client(self, key: str | None = None, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=raise_app_exceptions)
        return httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)

    async def as_(self, scope: Scope) -> httpx.AsyncClient:
        """A client whose requests carry a new key of `scope`."""
        return self.client(await self.key(scope))
