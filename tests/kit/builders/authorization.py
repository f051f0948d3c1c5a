"""Test data for authorization unit tests: a fixed clock, tokens, and handler contexts from the wired service
(over in-memory fakes), overridable per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from csms_authorization.bootstrap import build
from csms_authorization.domain.tokens import TokenRecord, TokenStatus, TokenType
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ports import ContractCertificateProvider, OcspClient
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.handling.router import CallInfo
from csms_kernel.ocpp.versions import OcppVersion
from kit.fakes.authorization import (
    InMemoryActiveSessions,
    InMemoryLocalListStore,
    InMemoryReservationStore,
    InMemoryStationRegistry,
    InMemoryTokenStore,
    RecordingEventLog,
)
from kit.fakes.outbox import FakeLease
from kit.fakes.station_calls import FakeStationCalls

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
EXPIRES = datetime(2027, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
EXPIRES_ISO = "2027-01-01T00:00:00.250Z"
STATION = "CS-1"


def a_token(id_token: str = "04A2B3C4", **overrides: Any) -> TokenRecord:
    fields: dict[str, Any] = {
        "id_token": id_token,
        "type": TokenType.ISO14443,
        "status": TokenStatus.ACCEPTED,
        "expires_at": None,
        "group_id_token": None,
        "station_ids": frozenset(),
        "local_list": False,
        "created_at": CREATED,
        "updated_at": CREATED,
    }
    fields.update(overrides)
    return TokenRecord(**fields)


SETTINGS = AuthorizationSettings(concurrent_tx=True, password_pepper=SecretStr("pepper"))


def make_context(
    version: OcppVersion,
    *tokens: TokenRecord,
    active: set[str] | None = None,
    reservations: InMemoryReservationStore | None = None,
    concurrent_tx: bool = True,
    contract_provider: ContractCertificateProvider | None = None,
    ocsp: OcspClient | None = None,
    settings: dict[str, Any] | None = None,
    **call_overrides: Any,
) -> AuthorizationContext:
    """The context the wired service gives a handler of this call, over in-memory tokens and active sessions (and
    the Plug & Charge ports and settings given)."""
    store = InMemoryTokenStore()
    store.records = {token.key: token for token in tokens}
    call = CallInfo(STATION, "default", version, "msg-1", "Authorize", NOW, "edge-1", "conn-1")
    router = build(
        SETTINGS.model_copy(update={"concurrent_tx": concurrent_tx, **(settings or {})}),
        tokens=store,
        sessions=InMemoryActiveSessions(active or set()),
        reservations=reservations or InMemoryReservationStore(),
        registry=InMemoryStationRegistry(),
        local_list=InMemoryLocalListStore(),
        outbox=store.outbox,
        lease=FakeLease(),
        event_log=RecordingEventLog(),
        station_calls=FakeStationCalls(),
        contract_provider=contract_provider,
        ocsp=ocsp,
    ).router
    assert router is not None
    context: AuthorizationContext = router.context(replace(call, **call_overrides))
    return context
