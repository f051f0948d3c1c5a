"""Test data for transactions unit tests: a fixed clock, calls through the router of the wired service (over
in-memory fakes), and events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csms.transactions.v1 import transactions_pb2
from csms_kernel.handling.router import Answer, CallInfo, Router
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.bootstrap import build
from csms_transactions.domain.tokens import Decision
from csms_transactions.settings import TransactionsSettings
from kit.fakes.station_calls import FakeStationCalls
from kit.fakes.transactions import (
    InMemoryStateStore,
    InMemoryTransactionsRepository,
    ScriptedAuthorizer,
)

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
STATION = "CS-1"
SETTINGS = TransactionsSettings(concurrent_tx=True)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 21, hour, minute, second, tzinfo=UTC)


@dataclass
class Csms:
    """The transactions handlers behind the real router, over in-memory ports."""

    version: OcppVersion
    state: InMemoryStateStore = field(default_factory=InMemoryStateStore)
    authorizer: ScriptedAuthorizer = field(
        default_factory=lambda: ScriptedAuthorizer({"TAG-1": Decision("Accepted"), "TAG-2": Decision("Accepted")})
    )
    concurrent_tx: bool = True

    async def send(
        self, action: str, payload: dict[str, Any], message_id: str = "msg-1", station_id: str = STATION
    ) -> Answer:
        call = CallInfo(station_id, "default", self.version, message_id, action, NOW, "edge-1", "conn-1")
        return await self.router().dispatch(call, Frame(MessageType.CALL, message_id, action, payload))

    def router(self) -> Router[Any]:
        """The router of the wired service over these fakes."""
        router = build(
            SETTINGS.model_copy(update={"concurrent_tx": self.concurrent_tx}),
            state=self.state,
            authorizer=self.authorizer,
            repository=InMemoryTransactionsRepository(),
            station_calls=FakeStationCalls(),
        ).router
        assert router is not None
        return router

    async def result(self, action: str, payload: dict[str, Any], message_id: str = "msg-1", **kw: Any) -> Any:
        """The CALLRESULT payload (fails on a CALLERROR)."""
        answer = await self.send(action, payload, message_id, **kw)
        assert not answer.is_error, answer.frame
        return json.loads(answer.frame)[2]


def event(
    version: OcppVersion,
    transaction_id: str,
    occurred_at: datetime,
    *,
    message_id: str = "msg-1",
    first_seen_at: datetime | None = None,
    session_token: transactions_pb2.IdToken | None = None,
    **fields: Any,
) -> transactions_pb2.TransactionEvent:
    expected = transactions_pb2.TransactionEvent(
        station_id=STATION,
        transaction_id=transaction_id,
        message_id=message_id,
        occurred_at=timestamp(occurred_at),
        ocpp_version=version_to_proto(version),
        received_at=timestamp(NOW),
        first_seen_at=timestamp(first_seen_at or occurred_at),
        **fields,
    )
    if session_token is not None:
        expected.session_id_token.CopyFrom(session_token)
    return expected


def energy(
    wh: float, when: datetime, context: str = "Sample.Periodic", *, raw: str, unit: str = "Wh", fmt: str = ""
) -> transactions_pb2.SampledValue:
    """The normalised sample of an Energy.Active.Import.Register reading (`fmt`: the 1.6 format)."""
    return transactions_pb2.SampledValue(
        sampled_at=timestamp(when),
        measurand="Energy.Active.Import.Register",
        location="Outlet",
        context=context,
        value=wh,
        unit="Wh",
        raw_value=raw,
        raw_unit=unit,
        format=fmt,
    )
