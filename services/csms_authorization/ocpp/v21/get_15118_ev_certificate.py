"""OCPP 2.1 Get15118EVCertificate: as 2.0.1, plus the ISO 15118-20 fields (how many contract certificate chains the
EV takes, the eMAIDs it prefers) forwarded to the provider and the number of contracts still to fetch."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_authorization.domain.plug_and_charge import EvCertificateRequest
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.info import status_info

MAX_EXI_RESPONSE = 17000  # Get15118EVCertificateResponse.exiResponse maxLength (2.1)


async def handle(ctx: AuthorizationContext, request: call.Get15118EVCertificate) -> call_result.Get15118EVCertificate:
    forwarded = EvCertificateRequest(
        station_id=ctx.call.station_id,
        ocpp_version="2.1",
        iso15118_schema_version=request.iso_15118_schema_version,
        action=request.action,
        exi_request=request.exi_request,
        maximum_contract_certificate_chains=request.maximum_contract_certificate_chains,
        prioritized_emaids=tuple(request.prioritized_emaids or ()),
    )
    answer = await ctx.plug_and_charge.ev_certificate(forwarded, MAX_EXI_RESPONSE)
    return call_result.Get15118EVCertificate(
        status=answer.status.value,
        exi_response=answer.exi_response,
        remaining_contracts=answer.remaining_contracts,
        status_info=status_info(answer.reason),
    )
