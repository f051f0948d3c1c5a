"""OCPP 2.1 Authorize: the decision for an IdToken (value and type, a free string in 2.1) at this station."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.info import id_token_info
from csms_kernel.ocpp.versions import OcppVersion


async def handle(ctx: AuthorizationContext, request: call.Authorize) -> call_result.Authorize:
    decision = await ctx.decide(request.id_token["id_token"], request.id_token["type"])
    return call_result.Authorize(id_token_info=id_token_info(decision, OcppVersion.V21))
