"""The rules every transaction message follows in the write model, whatever the OCPP version.

A message about a transaction is a `Step`. Applying it, before the reply:
1. looks up the outcome recorded for the message's natural key (with the transaction's state, in one read):
   found → the same transaction id and decision (a redelivery when the message id is the same, else a duplicate
   frame, answered but not reported again);
2. otherwise allocates the 1.6 transaction id, takes the authorization decision for a presented token
   (ConcurrentTx when the token is accepted but already has another active transaction and the check is on);
3. advances the transaction's state: first seen, session token (the first token presented to start or
   authorise it), ended (never undone, whatever order frames arrive in), and writes it with the outcome in one
   request — the commit point: everything after it is idempotent and redone on redelivery (a 1.6 start, found
   by its natural key alone, records its outcome before reading the state of the transaction it allocated);
4. opens or closes the token's session.
Side effects: reads and writes the `StateStore`, asks the `Authorizer`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_transactions.domain.tokens import ACCEPTED, CONCURRENT_TX, NO_AUTHORIZATION, Decision, Token
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ports import Handled, TransactionState


@dataclass(frozen=True)
class Step:
    # None: a 1.6 StartTransaction, whose id the CSMS allocates.
    transaction_id: str | None
    # The station's timestamp of the message.
    occurred_at: datetime
    # The natural key whose outcome is remembered; None when there is no decision to remember.
    key: str | None = None
    token: Token | None = None
    # The token starts or authorises the transaction (not: presented to stop it).
    starts_session: bool = False
    ends: bool = False
    # Where a session starts (1.6 connector N is EVSE N): the EVSE whose reservations the decision honours.
    evse_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    transaction_id: str
    decision: Decision | None
    # An earlier frame with another message id already reported this step: answer it, report nothing.
    duplicate: bool
    state: TransactionState

    def event(
        self, occurred_at: datetime, *, seq_no: int = 0, offline: bool = False
    ) -> transactions_pb2.TransactionEvent:
        """The domain event's common part; the handler sets which event it is."""
        event = transactions_pb2.TransactionEvent(
            transaction_id=self.transaction_id,
            occurred_at=timestamp(occurred_at),
            seq_no=seq_no,
            offline=offline,
            first_seen_at=timestamp(self.state.first_seen_at),
        )
        if self.state.session_token is not None:
            event.session_id_token.CopyFrom(self.state.session_token.proto())
        return event


async def apply(ctx: TransactionsContext, step: Step) -> Outcome:
    station_id, message_id = ctx.station_id, ctx.call.message_id
    if step.transaction_id is None:
        return await _start(ctx, step)
    transaction_id = step.transaction_id
    current, prior = await ctx.state.transaction(station_id, transaction_id, step.key)
    if prior is not None:
        return await _advance(ctx, step, current, prior, duplicate=prior.message_id != message_id)
    decision = await _decide(ctx, transaction_id, step) if step.token is not None else None
    handled = Handled(message_id, transaction_id, decision)
    return await _advance(ctx, step, current, handled, record=(step.key, handled) if step.key is not None else None)


async def _start(ctx: TransactionsContext, step: Step) -> Outcome:
    """A 1.6 StartTransaction, whose outcome is found by its natural key alone: the CSMS allocates its id."""
    assert step.key is not None
    station_id, message_id = ctx.station_id, ctx.call.message_id
    prior = await ctx.state.handled_start(station_id, step.key)
    if prior is None:
        transaction_id = str(await ctx.state.allocate_transaction_id(station_id, message_id))
        decision = await _decide(ctx, transaction_id, step) if step.token is not None else None
        handled = Handled(message_id, transaction_id, decision)
        await ctx.state.record_start(station_id, step.key, handled)
    else:
        handled = prior
    current, _ = await ctx.state.transaction(station_id, handled.transaction_id)
    return await _advance(ctx, step, current, handled, duplicate=prior is not None and prior.message_id != message_id)


async def _decide(ctx: TransactionsContext, transaction_id: str, step: Step) -> Decision:
    assert step.token is not None
    evse_id = step.evse_id if step.starts_session else None
    decision = await ctx.authorizer.authorize(ctx.station_id, step.token, ctx.call.ocpp_version, ctx.now, evse_id)
    if not (ctx.concurrent_tx and step.starts_session and decision.status == ACCEPTED and _tracked(step.token)):
        return decision
    others = await ctx.state.open_sessions(step.token.key) - {(ctx.station_id, transaction_id)}
    return replace(decision, status=CONCURRENT_TX) if others else decision


async def _advance(
    ctx: TransactionsContext,
    step: Step,
    current: TransactionState | None,
    handled: Handled,
    *,
    duplicate: bool = False,
    record: tuple[str, Handled] | None = None,
) -> Outcome:
    """Advances the transaction's state, written together with `record` (natural key, outcome): the commit point
    of a message about a known transaction."""
    transaction_id = handled.transaction_id
    token = current.session_token if current is not None else None
    if token is None and step.starts_session:
        token = step.token
    state = TransactionState(
        first_seen_at=current.first_seen_at if current is not None else step.occurred_at,
        session_token=token,
        ended=(current is not None and current.ended) or step.ends,
    )
    changed = state != current
    if changed or record is not None:
        await ctx.state.save_transaction(ctx.station_id, transaction_id, state if changed else None, record)
    if token is not None and _tracked(token):
        if step.ends:
            await ctx.state.close_session(token.key, ctx.station_id, transaction_id)
        elif step.starts_session and not state.ended:
            await ctx.state.open_session(token.key, ctx.station_id, transaction_id)
    return Outcome(transaction_id, handled.decision, duplicate, state)


def _tracked(token: Token) -> bool:
    """NoAuthorization "tokens" identify nobody: they never have sessions of their own."""
    return token.type != NO_AUTHORIZATION and bool(token.id_token)
