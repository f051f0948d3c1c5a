"""OCPP 2.0.1 TransactionEvent Started/Updated/Ended: merge it into the transaction, answer the token's decision.

Natural key: transaction id + seqNo, so a frame redelivered or sent again under a new message id (e.g. after
the station was offline) is answered the same and reported once. Events may arrive in any order: the
projection merges them by seqNo, and an ended transaction never becomes active again. The recording and the
idTokenInfo are shared with 2.1, whose message has the same fields (and more this CSMS does not use).
"""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import ocpp_datetime, parse_ocpp_datetime
from csms_transactions.domain import meter, transaction
from csms_transactions.domain.tokens import Decision, Token
from csms_transactions.ocpp.context import TransactionsContext

# stoppedReason when the station gives none (the protocol's default).
DEFAULT_STOPPED_REASON = "Local"
# A token presented with this trigger stops the transaction; any other token starts or authorises it.
STOP_AUTHORIZED = "StopAuthorized"
# The type 2.x gives a group token (groupIdToken) when the token store has none.
GROUP_TOKEN_TYPE = "Central"


async def handle(ctx: TransactionsContext, request: call.TransactionEvent) -> call_result.TransactionEvent:
    decision = await record_event(ctx, request)
    return call_result.TransactionEvent(id_token_info=id_token_info(decision) if decision else None)


async def record_event(
    ctx: TransactionsContext, request: call.TransactionEvent | v21_call.TransactionEvent
) -> Decision | None:
    """Merges the event into the transaction and emits it (once); the decision on its token, if it has one."""
    info: dict[str, Any] = request.transaction_info
    transaction_id: str = info["transaction_id"]
    occurred_at = parse_ocpp_datetime(request.timestamp)
    token = Token(request.id_token["id_token"], request.id_token["type"]) if request.id_token else None
    ends = request.event_type == "Ended"
    step = transaction.Step(
        transaction_id,
        occurred_at,
        key=f"event/{transaction_id}/{request.seq_no}",
        token=token,
        starts_session=token is not None and not ends and request.trigger_reason != STOP_AUTHORIZED,
        ends=ends,
        evse_id=(request.evse or {}).get("id"),
    )
    outcome = await transaction.apply(ctx, step)
    if not outcome.duplicate:
        event = outcome.event(occurred_at, seq_no=request.seq_no, offline=bool(request.offline))
        _describe(event, request, info, token, outcome.decision)
        ctx.emit(event)
    return outcome.decision


def _describe(
    event: transactions_pb2.TransactionEvent,
    request: call.TransactionEvent | v21_call.TransactionEvent,
    info: dict[str, Any],
    token: Token | None,
    decision: Decision | None,
) -> None:
    samples = meter.from_v2(request.meter_value or [], parse_ocpp_datetime)
    evse: dict[str, Any] = request.evse or {}
    common: dict[str, Any] = {
        "evse_id": evse.get("id", 0),
        "connector_id": evse.get("connector_id", 0),
        "trigger_reason": request.trigger_reason,
        "charging_state": info.get("charging_state", ""),
        "meter_values": samples,
    }
    if token is not None and decision is not None:
        common |= {"id_token": token.proto(), "authorization": decision.proto()}
    occurred_at = timestamp(parse_ocpp_datetime(request.timestamp))
    if request.event_type == "Started":
        event.started.CopyFrom(
            transactions_pb2.TransactionStarted(
                started_at=occurred_at,
                meter_start_wh=meter.energy_register_wh(samples),
                remote_start_id=info.get("remote_start_id"),
                reservation_id=request.reservation_id,
                **common,
            )
        )
    elif request.event_type == "Updated":
        event.updated.CopyFrom(
            transactions_pb2.TransactionUpdated(remote_start_id=info.get("remote_start_id"), **common)
        )
    else:
        event.ended.CopyFrom(
            transactions_pb2.TransactionEnded(
                ended_at=occurred_at,
                meter_stop_wh=meter.energy_register_wh(samples),
                stop_reason=info.get("stopped_reason") or DEFAULT_STOPPED_REASON,
                **common,
            )
        )


def id_token_info(decision: Decision) -> dict[str, Any]:
    """The 2.x idTokenInfo of a decision (snake_case, as the `ocpp` package holds nested objects)."""
    info: dict[str, Any] = {"status": decision.status}
    if decision.expiry:
        info["cache_expiry_date_time"] = ocpp_datetime(decision.expiry)
    if decision.group:
        info["group_id_token"] = {"id_token": decision.group.id_token, "type": decision.group.type or GROUP_TOKEN_TYPE}
    return info
