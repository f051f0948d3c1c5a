"""OCPP 1.6 Authorize: the decision for an idTag at this station, ConcurrentTx when it is already charging."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_authorization.domain.decision import AuthorizationStatus, concurrent_tx
from csms_authorization.domain.tokens import token_key
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.info import id_tag_info


async def handle(ctx: AuthorizationContext, request: call.Authorize) -> call_result.Authorize:
    decision = await ctx.decide(request.id_tag, None)
    if ctx.concurrent_tx and decision.status is AuthorizationStatus.ACCEPTED:
        decision = concurrent_tx(decision, await ctx.sessions.has_active(token_key(request.id_tag)))
    return call_result.Authorize(id_tag_info=id_tag_info(decision))
