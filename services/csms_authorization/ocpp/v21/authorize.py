"""OCPP 2.1 Authorize: the decision for an IdToken (value and type, a free string in 2.1) at this station; with
iso15118CertificateHashData (Plug & Charge, C07) also the OCSP verdict on the contract certificate chain."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_authorization.domain.plug_and_charge import ContractStatus
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.info import id_token_info
from csms_kernel.ocpp.versions import OcppVersion


async def handle(ctx: AuthorizationContext, request: call.Authorize) -> call_result.Authorize:
    decision = await ctx.decide(request.id_token["id_token"], request.id_token["type"])
    info = id_token_info(decision, OcppVersion.V21)
    contract = await ctx.contract_status(request.iso_15118_certificate_hash_data)
    if contract is ContractStatus.REVOKED:
        info = {"status": "Invalid"}  # C07.FR.16: a revoked contract certificate chain makes the token Invalid
    return call_result.Authorize(id_token_info=info, certificate_status=contract.value if contract else None)
