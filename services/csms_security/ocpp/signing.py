"""SignCertificate, shared by the versions (1.6 security whitepaper, 2.0.1, 2.1): the CSR is checked
(`domain.csr.check_csr`); an acceptable one is recorded as a signing request, which the certificate signer
(app/signer.py) signs and sends in CertificateSigned; a refused one answers Rejected and is logged as the CSMS
security event `csr_rejected` with the reason. Writes the request (SigningRequests port)."""

from __future__ import annotations

from csms_kernel.security.events import csms_event
from csms_security.domain.csr import CsrRefused, check_csr
from csms_security.domain.events import derived_id
from csms_security.ocpp.context import SecurityContext
from csms_security.ports import SigningRequest

ACCEPTED = "Accepted"
REJECTED = "Rejected"


async def sign_request(
    ctx: SecurityContext, csr_pem: str, certificate_type: str, ocpp_request_id: int | None = None
) -> str:
    """Accepted or Rejected, for the CSR of `certificate_type` the station sent (2.1: with its requestId)."""
    call = ctx.call
    request_id = derived_id("csr", call.station_id, call.connection_id, call.message_id)
    try:
        check_csr(csr_pem, call.station_id, certificate_type, ctx.signable_types)
    except CsrRefused as refused:
        record = csms_event(
            "csr_rejected",
            call.station_id,
            refused.text,
            details={"reason": refused.reason, "certificate_type": certificate_type, "message_id": call.message_id},
            now=ctx.now,
        )
        record.event.event_id = request_id
        ctx.emit(record)
        return REJECTED
    await ctx.requests.record(
        SigningRequest(
            request_id=request_id,
            station_id=call.station_id,
            certificate_type=certificate_type,
            csr_pem=csr_pem,
            requested_at=ctx.now,
            ocpp_request_id=ocpp_request_id,
        )
    )
    return ACCEPTED
