"""OCPP 2.1 GetCertificateStatus (M06): the OCSP status of a certificate the station holds (e.g. a contract or
sub-CA certificate), asked of the responder the allow-list permits; Accepted with the responder's DER answer in
base64, or Failed."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.info import ocsp_request_data, status_info


async def handle(ctx: AuthorizationContext, request: call.GetCertificateStatus) -> call_result.GetCertificateStatus:
    answer = await ctx.plug_and_charge.certificate_status(
        ctx.call.station_id, ocsp_request_data(request.ocsp_request_data)
    )
    return call_result.GetCertificateStatus(
        status="Accepted" if answer.accepted else "Failed",
        ocsp_result=answer.ocsp_result,
        status_info=status_info(answer.reason),
    )
