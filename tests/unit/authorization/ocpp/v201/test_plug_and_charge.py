"""The v201 Plug & Charge handlers over the wired service: GetCertificateStatus from the kit's OCSP responder (through
httpx.MockTransport), Get15118EVCertificate from the kit's contract-certificate provider, and their Failed answers."""

from __future__ import annotations

import base64

import httpx
from cryptography import x509
from cryptography.x509 import ocsp
from ocpp.v201 import call, call_result

from csms_authorization.adapters.contract_provider_http import HttpContractCertificateProvider
from csms_authorization.adapters.ocsp_http import HttpOcspClient
from csms_authorization.ocpp.v201 import authorize, get_15118_ev_certificate, get_certificate_status
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import a_token, make_context
from kit.pnc import LocalCa, LocalContractProvider, LocalOcspResponder, ev_csr, mock_transport, ocsp_request_data

VERSION = OcppVersion.V201
RESPONDER = "http://ocsp.test/v2g"


def snake(fields: dict[str, str]) -> dict[str, str]:
    return {
        "hash_algorithm": fields["hashAlgorithm"],
        "issuer_name_hash": fields["issuerNameHash"],
        "issuer_key_hash": fields["issuerKeyHash"],
        "serial_number": fields["serialNumber"],
        "responder_url": fields["responderURL"],
    }


async def test_certificate_status_is_the_responders_answer() -> None:
    ca = LocalCa("V2G Root")
    revoked = ca.issue("CONTRACT-1")
    ca.revoke(revoked)
    ctx = make_context(
        VERSION,
        ocsp=HttpOcspClient(5.0, httpx.AsyncClient(transport=mock_transport(LocalOcspResponder(ca).answer))),
        settings={"ocsp_responder_allowlist": [RESPONDER]},
    )
    request = call.GetCertificateStatus(ocsp_request_data=snake(ocsp_request_data(revoked, ca.certificate, RESPONDER)))
    response = await get_certificate_status.handle(ctx, request)
    assert response.status == "Accepted" and response.status_info is None
    assert ocsp.load_der_ocsp_response(base64.b64decode(response.ocsp_result)).certificate_status is (
        ocsp.OCSPCertStatus.REVOKED
    )


async def test_certificate_status_of_a_responder_nobody_allowed_is_failed() -> None:
    ca = LocalCa("V2G Root")
    ctx = make_context(VERSION)
    request = call.GetCertificateStatus(
        ocsp_request_data=snake(ocsp_request_data(ca.issue("C"), ca.certificate, "http://127.0.0.1:50052/"))
    )
    assert await get_certificate_status.handle(ctx, request) == call_result.GetCertificateStatus(
        status="Failed", status_info={"reason_code": "ResponderNotAllowed"}
    )


async def test_an_ev_certificate_comes_from_the_provider() -> None:
    provider = LocalContractProvider()
    ctx = make_context(
        VERSION,
        contract_provider=HttpContractCertificateProvider(
            "http://provider.test", 5.0, httpx.AsyncClient(transport=mock_transport(provider.answer))
        ),
    )
    csr, key = ev_csr()
    request = call.Get15118EVCertificate(
        iso15118_schema_version="urn:iso:15118:2:2013:MsgDef",
        action="Install",
        exi_request=base64.b64encode(csr).decode(),
    )
    response = await get_15118_ev_certificate.handle(ctx, request)
    assert response.status == "Accepted" and response.status_info is None
    assert x509.load_der_x509_certificate(base64.b64decode(response.exi_response)).public_key() == key.public_key()
    assert provider.requests[0]["stationId"] == ctx.call.station_id


async def test_an_ev_certificate_without_a_provider_is_failed() -> None:
    request = call.Get15118EVCertificate(
        iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Update", exi_request="AAAA"
    )
    response = await get_15118_ev_certificate.handle(make_context(VERSION), request)
    assert (response.status, response.exi_response, response.status_info) == (
        "Failed",
        "",
        {"reason_code": "NoProvider"},
    )


async def test_authorize_with_a_contract_chain_checks_it_by_ocsp() -> None:
    root = LocalCa("V2G Root")
    good, revoked = root.issue("CONTRACT-GOOD"), root.issue("CONTRACT-REVOKED")
    root.revoke(revoked)
    responder = LocalOcspResponder(root)
    ctx = make_context(
        VERSION,
        a_token(),
        ocsp=HttpOcspClient(5.0, httpx.AsyncClient(transport=mock_transport(responder.answer))),
        settings={"ocsp_responder_allowlist": [RESPONDER]},
    )
    token = {"id_token": "04A2B3C4", "type": "ISO14443"}

    async def authorized(*chain: x509.Certificate, url: str = RESPONDER) -> call_result.Authorize:
        hash_data = [snake(ocsp_request_data(c, root.certificate, url)) for c in chain]
        return await authorize.handle(ctx, call.Authorize(id_token=token, iso15118_certificate_hash_data=hash_data))

    assert await authorized(good) == call_result.Authorize(
        id_token_info={"status": "Accepted"}, certificate_status="Accepted"
    )
    # C07.FR.16: one revoked certificate of the chain makes the token Invalid
    assert await authorized(good, revoked) == call_result.Authorize(
        id_token_info={"status": "Invalid"}, certificate_status="CertificateRevoked"
    )
    # a status nobody could establish (responder not allowed): not Accepted, the token decision stands
    assert await authorized(good, url="http://10.0.0.1/ocsp") == call_result.Authorize(
        id_token_info={"status": "Accepted"}, certificate_status="CertChainError"
    )
    assert len(responder.requests) == 3
    assert await authorize.handle(ctx, call.Authorize(id_token=token)) == call_result.Authorize(
        id_token_info={"status": "Accepted"}
    )
