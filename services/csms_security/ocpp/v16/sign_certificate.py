"""OCPP 1.6 (security whitepaper) SignCertificate: the charge point's CSR for its ChargePointCertificate (the
only type 1.6 signs), checked and, if acceptable, signed and sent back in CertificateSigned (ocpp/signing.py)."""

from __future__ import annotations

from ocpp.v16 import call, call_result
from ocpp.v16.enums import GenericStatus

from csms_security.domain.csr import CHARGING_STATION
from csms_security.ocpp.context import SecurityContext
from csms_security.ocpp.signing import sign_request


async def handle(ctx: SecurityContext, request: call.SignCertificate) -> call_result.SignCertificate:
    status = await sign_request(ctx, request.csr, CHARGING_STATION)
    return call_result.SignCertificate(status=GenericStatus(status))
