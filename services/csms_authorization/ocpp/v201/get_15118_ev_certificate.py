"""OCPP 2.0.1 Get15118EVCertificate (M01/M02): the EV's contract certificate installation or update request,
forwarded to the contract-certificate provider; its answer (or Failed) goes back to the station."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_authorization.domain.plug_and_charge import EvCertificateRequest
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.info import status_info

MAX_EXI_RESPONSE = 7500  # Get15118EVCertificateResponse.exiResponse maxLength


async def handle(ctx: AuthorizationContext, request: call.Get15118EVCertificate) -> call_result.Get15118EVCertificate:
    forwarded = EvCertificateRequest(
        station_id=ctx.call.station_id,
        ocpp_version="2.0.1",
        iso15118_schema_version=request.iso15118_schema_version,
        action=request.action,
        exi_request=request.exi_request,
    )
    answer = await ctx.plug_and_charge.ev_certificate(forwarded, MAX_EXI_RESPONSE)
    return call_result.Get15118EVCertificate(
        status=answer.status.value, exi_response=answer.exi_response, status_info=status_info(answer.reason)
    )
