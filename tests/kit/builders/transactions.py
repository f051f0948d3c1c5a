"""Test data for transactions unit tests: a fixed clock, calls through the real routing tables, and events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csms.transactions.v1 import transactions_pb2
from csms_kernel.handling.router import Answer, CallInfo, Emitted, Router
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.routing import TABLES
from kit.fakes.transactions import InMemoryStateStore, ScriptedAuthorizer

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
STATION = "CS-1"


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
        router = Router(TABLES, self._context)
        call = CallInfo(station_id, "default", self.version, message_id, action, NOW, "edge-1", "conn-1")
        return await router.dispatch(call, Frame(MessageType.CALL, message_id, action, payload))

    def _context(self, call: CallInfo, emitted: Emitted) -> TransactionsContext:
        return TransactionsContext(call, emitted, self.state, self.authorizer, self.concurrent_tx)

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
