"""OCPP 2.0.1 SignCertificate: the CSR (certificateType absent: ChargingStationCertificate), checked and, if
acceptable, signed and sent back in CertificateSigned (ocpp/signing.py)."""

from __future__ import annotations

from ocpp.v201 import call, call_result
from ocpp.v201.enums import GenericStatusEnumType

from csms_security.domain.csr import CHARGING_STATION
from csms_security.ocpp.context import SecurityContext
from csms_security.ocpp.signing import sign_request


async def handle(ctx: SecurityContext, request: call.SignCertificate) -> call_result.SignCertificate:
    status = await sign_request(ctx, request.csr, str(request.certificate_type or CHARGING_STATION))
    return call_result.SignCertificate(status=GenericStatusEnumType(status))
