"""The 2.0.1 and 2.1 Plug & Charge handlers (each test runs for both versions) over the wired service:
GetCertificateStatus from the kit's OCSP responder (through httpx.MockTransport), Get15118EVCertificate from the
kit's contract-certificate provider, and their Failed answers."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.x509 import ocsp
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as call_result21
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as call_result201

from csms_authorization.adapters.contract_provider_http import HttpContractCertificateProvider
from csms_authorization.adapters.ocsp_http import HttpOcspClient
from csms_authorization.ocpp.v21 import authorize as authorize21
from csms_authorization.ocpp.v21 import get_15118_ev_certificate as get_15118_ev_certificate21
from csms_authorization.ocpp.v21 import get_certificate_status as get_certificate_status21
from csms_authorization.ocpp.v201 import authorize as authorize201
from csms_authorization.ocpp.v201 import get_15118_ev_certificate as get_15118_ev_certificate201
from csms_authorization.ocpp.v201 import get_certificate_status as get_certificate_status201
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import a_token, make_context
from kit.pnc import LocalCa, LocalContractProvider, LocalOcspResponder, ev_csr, mock_transport, ocsp_request_data

RESPONDER = "http://ocsp.test/v2g"


@dataclass(frozen=True)
class Version:
    """One version's handler modules and the `ocpp` package's classes (whose field names differ: 2.1 writes
    `iso_15118_...` where 2.0.1 writes `iso15118_...`)."""

    version: OcppVersion
    call: ModuleType
    call_result: ModuleType
    authorize: ModuleType
    get_15118_ev_certificate: ModuleType
    get_certificate_status: ModuleType
    iso15118: str

    def ev_certificate_request(self, **fields: Any) -> Any:
        schema = fields.pop("schema_version")
        return self.call.Get15118EVCertificate(**{f"{self.iso15118}_schema_version": schema}, **fields)

    def authorize_request(self, token: dict[str, str], hash_data: Any = None) -> Any:
        extra = {} if hash_data is None else {f"{self.iso15118}_certificate_hash_data": hash_data}
        return self.call.Authorize(id_token=token, **extra)


VERSIONS = [
    Version(
        OcppVersion.V201,
        call201,
        call_result201,
        authorize201,
        get_15118_ev_certificate201,
        get_certificate_status201,
        "iso15118",
    ),
    Version(
        OcppVersion.V21,
        call21,
        call_result21,
        authorize21,
        get_15118_ev_certificate21,
        get_certificate_status21,
        "iso_15118",
    ),
]


@pytest.fixture(params=VERSIONS, ids=lambda v: v.version.name)
def v(request: pytest.FixtureRequest) -> Version:
    return request.param  # type: ignore[no-any-return]


def snake(fields: dict[str, str]) -> dict[str, str]:
    return {
        "hash_algorithm": fields["hashAlgorithm"],
        "issuer_name_hash": fields["issuerNameHash"],
        "issuer_key_hash": fields["issuerKeyHash"],
        "serial_number": fields["serialNumber"],
        "responder_url": fields["responderURL"],
    }


async def test_certificate_status_is_the_responders_answer(v: Version) -> None:
    ca = LocalCa("V2G Root")
    revoked = ca.issue("CONTRACT-1")
    ca.revoke(revoked)
    ctx = make_context(
        v.version,
        ocsp=HttpOcspClient(5.0, httpx.AsyncClient(transport=mock_transport(LocalOcspResponder(ca).answer))),
        settings={"ocsp_responder_allowlist": [RESPONDER]},
    )
    request = v.call.GetCertificateStatus(
        ocsp_request_data=snake(ocsp_request_data(revoked, ca.certificate, RESPONDER))
    )
    response = await v.get_certificate_status.handle(ctx, request)
    assert response.status == "Accepted" and response.status_info is None
    assert ocsp.load_der_ocsp_response(base64.b64decode(response.ocsp_result)).certificate_status is (
        ocsp.OCSPCertStatus.REVOKED
    )


async def test_certificate_status_of_a_responder_nobody_allowed_is_failed(v: Version) -> None:
    ca = LocalCa("V2G Root")
    ctx = make_context(v.version)
    request = v.call.GetCertificateStatus(
        ocsp_request_data=snake(ocsp_request_data(ca.issue("C"), ca.certificate, "http://127.0.0.1:50052/"))
    )
    assert await v.get_certificate_status.handle(ctx, request) == v.call_result.GetCertificateStatus(
        status="Failed", status_info={"reason_code": "ResponderNotAllowed"}
    )


async def test_an_ev_certificate_comes_from_the_provider(v: Version) -> None:
    provider = LocalContractProvider()
    ctx = make_context(
        v.version,
        contract_provider=HttpContractCertificateProvider(
            "http://provider.test", 5.0, httpx.AsyncClient(transport=mock_transport(provider.answer))
        ),
    )
    csr, key = ev_csr()
    request = v.ev_certificate_request(
        schema_version="urn:iso:15118:2:2013:MsgDef",
        action="Install",
        exi_request=base64.b64encode(csr).decode(),
    )
    response = await v.get_15118_ev_certificate.handle(ctx, request)
    assert response.status == "Accepted" and response.status_info is None
    assert x509.load_der_x509_certificate(base64.b64decode(response.exi_response)).public_key() == key.public_key()
    assert provider.requests[0]["stationId"] == ctx.call.station_id


async def test_an_ev_certificate_without_a_provider_is_failed(v: Version) -> None:
    request = v.ev_certificate_request(
        schema_version="urn:iso:15118:2:2013:MsgDef", action="Update", exi_request="AAAA"
    )
    response = await v.get_15118_ev_certificate.handle(make_context(v.version), request)
    assert (response.status, response.exi_response, response.status_info) == (
        "Failed",
        "",
        {"reason_code": "NoProvider"},
    )


async def test_authorize_with_a_contract_chain_checks_it_by_ocsp(v: Version) -> None:
    root = LocalCa("V2G Root")
    good, revoked = root.issue("CONTRACT-GOOD"), root.issue("CONTRACT-REVOKED")
    root.revoke(revoked)
    responder = LocalOcspResponder(root)
    ctx = make_context(
        v.version,
        a_token(),
        ocsp=HttpOcspClient(5.0, httpx.AsyncClient(transport=mock_transport(responder.answer))),
        settings={"ocsp_responder_allowlist": [RESPONDER]},
    )
    token = {"id_token": "04A2B3C4", "type": "ISO14443"}

    async def authorized(*chain: x509.Certificate, url: str = RESPONDER) -> Any:
        hash_data = [snake(ocsp_request_data(c, root.certificate, url)) for c in chain]
        return await v.authorize.handle(ctx, v.authorize_request(token, hash_data))

    assert await authorized(good) == v.call_result.Authorize(
        id_token_info={"status": "Accepted"}, certificate_status="Accepted"
    )
    # C07.FR.16: one revoked certificate of the chain makes the token Invalid
    assert await authorized(good, revoked) == v.call_result.Authorize(
        id_token_info={"status": "Invalid"}, certificate_status="CertificateRevoked"
    )
    # a status nobody could establish (responder not allowed): not Accepted, the token decision stands
    assert await authorized(good, url="http://10.0.0.1/ocsp") == v.call_result.Authorize(
        id_token_info={"status": "Accepted"}, certificate_status="CertChainError"
    )
    assert len(responder.requests) == 3
    assert await v.authorize.handle(ctx, v.authorize_request(token)) == v.call_result.Authorize(
        id_token_info={"status": "Accepted"}
    )
