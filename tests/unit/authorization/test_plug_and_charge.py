"""Plug & Charge without network (docs/adr/0028): the OCSP request built from ocspRequestData, the responder
allow-list, the check of the responder's answer, and the app over the HTTP adapters with `httpx.MockTransport`
in front of the kit's local OCSP responder and contract-certificate provider (which answer from the request)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from csms_authorization.adapters.contract_provider_http import HttpContractCertificateProvider
from csms_authorization.adapters.ocsp_http import HttpOcspClient
from csms_authorization.app.plug_and_charge import PlugAndCharge
from csms_authorization.domain.plug_and_charge import (
    CertificateState,
    ContractStatus,
    EvCertificateRequest,
    EvCertificateStatus,
    InvalidOcspRequestData,
    InvalidOcspResponse,
    OcspRequestData,
    ResponderPolicy,
    contract_status,
    ocsp_query,
    ocsp_result,
    responder_url,
)
from kit.pnc import LocalCa, LocalContractProvider, LocalOcspResponder, emaid, ev_csr, mock_transport, ocsp_request_data

RESPONDER = "http://ocsp.example.test/v2g"
OTHER = "http://ocsp.other.test/v2g"


@pytest.fixture(scope="module")
def ca() -> LocalCa:
    return LocalCa("Test V2G Root")


def data_of(fields: dict[str, str]) -> OcspRequestData:
    return OcspRequestData(
        hash_algorithm=fields["hashAlgorithm"],
        issuer_name_hash=fields["issuerNameHash"],
        issuer_key_hash=fields["issuerKeyHash"],
        serial_number=fields["serialNumber"],
        responder_url=fields["responderURL"],
    )


# ------------------------------------------------------------------------------------------- the OCSP request


@pytest.mark.parametrize(
    ("name", "algorithm"), [("SHA256", hashes.SHA256()), ("SHA384", hashes.SHA384()), ("SHA512", hashes.SHA512())]
)
def test_the_request_is_the_one_built_from_the_certificate_itself(
    ca: LocalCa, name: str, algorithm: hashes.HashAlgorithm
) -> None:
    certificate = ca.issue("CONTRACT-1")
    query = ocsp_query(data_of(ocsp_request_data(certificate, ca.certificate, RESPONDER, name)))
    expected = ocsp.OCSPRequestBuilder().add_certificate(certificate, ca.certificate, algorithm).build()
    assert query.request_der == expected.public_bytes(serialization.Encoding.DER)
    assert query.serial_number == certificate.serial_number


def test_a_lower_case_serial_number_names_the_same_certificate(ca: LocalCa) -> None:
    certificate = ca.issue("CONTRACT-1")
    fields = ocsp_request_data(certificate, ca.certificate, RESPONDER)
    upper = ocsp_query(data_of(fields))
    lower = ocsp_query(data_of({**fields, "serialNumber": fields["serialNumber"].lower()}))
    assert upper == lower


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hashAlgorithm", "MD5", "hashAlgorithm must be one of SHA256, SHA384, SHA512"),
        ("issuerNameHash", "zz" * 32, "issuerNameHash must be hexadecimal"),
        ("issuerNameHash", "00" * 20, "issuerNameHash must be 32 bytes (64 hex digits), got 20"),
        ("issuerKeyHash", "00" * 48, "issuerKeyHash must be 32 bytes (64 hex digits), got 48"),
        ("serialNumber", "", "serialNumber must be 1..40 hexadecimal digits"),
        ("serialNumber", "12G4", "serialNumber must be 1..40 hexadecimal digits"),
        ("serialNumber", "-1", "serialNumber must be 1..40 hexadecimal digits"),
        ("serialNumber", "F" * 41, "serialNumber must be 1..40 hexadecimal digits"),
    ],
)
def test_request_data_that_names_no_certificate_is_refused(ca: LocalCa, field: str, value: str, message: str) -> None:
    fields = ocsp_request_data(ca.issue("CONTRACT-1"), ca.certificate, RESPONDER)
    with pytest.raises(InvalidOcspRequestData) as refused:
        ocsp_query(data_of({**fields, field: value}))
    assert str(refused.value) == message


# ------------------------------------------------------------------------------------------- the allow-list

ALLOWED = ("http://ocsp.example.test/v2g", "https://OCSP.Partner.test", "http://10.1.2.3:8080/ocsp/")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://ocsp.example.test/v2g", True),
        ("http://ocsp.example.test/v2g/sub-ca-1", True),
        ("http://ocsp.example.test:80/v2g", True),
        ("http://OCSP.EXAMPLE.TEST/v2g", True),
        ("https://ocsp.partner.test/anything", True),
        ("https://ocsp.partner.test:443/", True),
        ("http://10.1.2.3:8080/ocsp/x", True),
        ("http://ocsp.example.test/v2gx", False),  # a prefix of the path segment is not the path
        ("http://ocsp.example.test/other", False),
        ("https://ocsp.example.test/v2g", False),  # another scheme
        ("http://ocsp.example.test:8080/v2g", False),  # another port
        ("http://ocsp.example.test.evil.test/v2g", False),
        ("http://evil.test/v2g?u=http://ocsp.example.test/v2g", False),
        ("http://user:pw@ocsp.example.test/v2g", False),
        ("http://ocsp.example.test/v2g/../admin", False),
        ("http://ocsp.example.test/v2g/%2e%2e/admin", False),
        ("http://ocsp.example.test/v2g\\@evil.test", False),
        ("http://ocsp.example.test/v2g /x", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("http://127.0.0.1:50052/", False),
        ("http://10.1.2.3:8081/ocsp/x", False),
        ("file:///etc/passwd", False),
        ("gopher://ocsp.example.test/v2g", False),
        ("http://[::1/v2g", False),
        ("", False),
    ],
)
def test_only_urls_within_the_allow_list_are_contacted(url: str, allowed: bool) -> None:
    assert responder_url(url, ResponderPolicy(ALLOWED)) == (url if allowed else None)
    assert responder_url(url, ResponderPolicy(ALLOWED, "http://default.test/ocsp")) == (
        url if allowed else "http://default.test/ocsp"
    )


def test_an_empty_allow_list_contacts_only_the_default() -> None:
    assert responder_url(RESPONDER, ResponderPolicy()) is None
    assert responder_url(RESPONDER, ResponderPolicy((), "http://default.test/ocsp")) == "http://default.test/ocsp"


# ------------------------------------------------------------------------------------------- the answer


def test_a_successful_answer_about_the_certificate_is_the_result(ca: LocalCa) -> None:
    certificate = ca.issue("CONTRACT-1")
    query = ocsp_query(data_of(ocsp_request_data(certificate, ca.certificate, RESPONDER)))
    answer = LocalOcspResponder(ca).answer(query.request_der)
    result = ocsp_result(answer, query)
    assert base64.b64decode(result.encoded) == answer and result.state is CertificateState.GOOD


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"not der", "not an OCSP response"),
        (
            ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER).public_bytes(
                serialization.Encoding.DER
            ),
            "responder answered TRY_LATER",
        ),
    ],
)
def test_an_unusable_answer_is_refused(ca: LocalCa, answer: bytes, message: str) -> None:
    query = ocsp_query(data_of(ocsp_request_data(ca.issue("CONTRACT-1"), ca.certificate, RESPONDER)))
    with pytest.raises(InvalidOcspResponse, match=message):
        ocsp_result(answer, query)


def test_an_answer_about_another_certificate_is_refused(ca: LocalCa) -> None:
    asked, other = ca.issue("CONTRACT-1"), ca.issue("CONTRACT-2")
    query = ocsp_query(data_of(ocsp_request_data(asked, ca.certificate, RESPONDER)))
    about_other = LocalOcspResponder(ca).answer(
        ocsp_query(data_of(ocsp_request_data(other, ca.certificate, RESPONDER))).request_der
    )
    with pytest.raises(InvalidOcspResponse, match="not about the requested certificate"):
        ocsp_result(about_other, query)


# ------------------------------------------------------------------------------------------- the app: OCSP


def status_app(
    responder: LocalOcspResponder | None, policy: ResponderPolicy, transport: httpx.MockTransport | None = None
) -> PlugAndCharge:
    if transport is None:
        assert responder is not None
        transport = mock_transport(responder.answer)
    return PlugAndCharge(None, HttpOcspClient(5.0, httpx.AsyncClient(transport=transport)), policy)


def cert_status(answer: str) -> ocsp.OCSPCertStatus:
    return ocsp.load_der_ocsp_response(base64.b64decode(answer)).certificate_status


async def test_good_revoked_and_unknown_certificates_are_answered_from_the_responder(ca: LocalCa) -> None:
    good, revoked = ca.issue("CONTRACT-GOOD"), ca.issue("CONTRACT-REVOKED")
    ca.revoke(revoked)
    responder = LocalOcspResponder(ca)
    app = status_app(responder, ResponderPolicy((RESPONDER,)))
    statuses = []
    for certificate in (good, revoked):
        answer = await app.certificate_status(
            "CS-1", data_of(ocsp_request_data(certificate, ca.certificate, RESPONDER))
        )
        assert answer.accepted and answer.ocsp_result is not None
        statuses.append(cert_status(answer.ocsp_result))
    assert statuses == [ocsp.OCSPCertStatus.GOOD, ocsp.OCSPCertStatus.REVOKED]

    unknown_fields = ocsp_request_data(good, ca.certificate, RESPONDER)
    unknown_fields["serialNumber"] = format(good.serial_number + 1, "X")  # a serial number this CA never issued
    unknown = await app.certificate_status("CS-1", data_of(unknown_fields))
    assert unknown.accepted and unknown.ocsp_result is not None
    assert cert_status(unknown.ocsp_result) is ocsp.OCSPCertStatus.UNKNOWN

    # a certificate of another CA: this responder answers "unauthorized", which is no certificate status
    other = LocalCa("Another Root")
    foreign = await app.certificate_status(
        "CS-1", data_of(ocsp_request_data(other.issue("CONTRACT-FOREIGN"), other.certificate, RESPONDER))
    )
    assert (foreign.accepted, foreign.reason) == (False, "InvalidResponse")
    assert len(responder.requests) == 4


async def test_a_responder_outside_the_allow_list_is_never_contacted(ca: LocalCa) -> None:
    responder = LocalOcspResponder(ca)
    app = status_app(responder, ResponderPolicy((OTHER,)))
    answer = await app.certificate_status(
        "CS-1", data_of(ocsp_request_data(ca.issue("C-1"), ca.certificate, "http://169.254.169.254/latest"))
    )
    assert (answer.accepted, answer.reason, answer.ocsp_result) == (False, "ResponderNotAllowed", None)
    assert responder.requests == []


async def test_a_responder_outside_the_allow_list_is_replaced_by_the_default(ca: LocalCa) -> None:
    asked: list[str] = []
    responder = LocalOcspResponder(ca)

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, content=responder.answer(request.read()))

    app = status_app(None, ResponderPolicy((OTHER,), RESPONDER), httpx.MockTransport(answer))
    status = await app.certificate_status(
        "CS-1", data_of(ocsp_request_data(ca.issue("C-1"), ca.certificate, "http://internal.test/admin"))
    )
    assert status.accepted and asked == [RESPONDER]


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (lambda request: httpx.Response(500, content=b"boom"), "ResponderUnavailable"),
        (lambda request: httpx.Response(302, headers={"Location": "http://127.0.0.1/"}), "ResponderUnavailable"),
        (lambda request: httpx.Response(200, content=b"x" * 20_000), "ResponderUnavailable"),
        (lambda request: httpx.Response(200, content=b"<html>not ocsp</html>"), "InvalidResponse"),
    ],
)
async def test_responder_failures_answer_failed(ca: LocalCa, handler: object, reason: str) -> None:
    app = status_app(None, ResponderPolicy((RESPONDER,)), httpx.MockTransport(handler))  # type: ignore[arg-type]
    answer = await app.certificate_status("CS-1", data_of(ocsp_request_data(ca.issue("C"), ca.certificate, RESPONDER)))
    assert (answer.accepted, answer.reason, answer.ocsp_result) == (False, reason, None)


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")], ids=["timeout", "refused"]
)
async def test_a_responder_that_does_not_answer_is_failed(ca: LocalCa, error: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    app = status_app(None, ResponderPolicy((RESPONDER,)), httpx.MockTransport(fail))
    answer = await app.certificate_status("CS-1", data_of(ocsp_request_data(ca.issue("C"), ca.certificate, RESPONDER)))
    assert (answer.accepted, answer.reason) == (False, "ResponderUnavailable")


async def test_invalid_request_data_is_failed_without_contacting_anyone(ca: LocalCa) -> None:
    responder = LocalOcspResponder(ca)
    fields = ocsp_request_data(ca.issue("C"), ca.certificate, RESPONDER)
    answer = await status_app(responder, ResponderPolicy((RESPONDER,))).certificate_status(
        "CS-1", data_of({**fields, "hashAlgorithm": "SHA1"})
    )
    assert (answer.accepted, answer.reason) == (False, "InvalidRequestData")
    assert responder.requests == []


# ------------------------------------------------------------------------------------------- the app: provider


def ev_request(exi_request: str, version: str = "2.0.1") -> EvCertificateRequest:
    return EvCertificateRequest("CS-1", version, "urn:iso:15118:2:2013:MsgDef", "Install", exi_request)


def provider_app(transport: httpx.MockTransport) -> PlugAndCharge:
    provider = HttpContractCertificateProvider("http://provider.test/ccp", 5.0, httpx.AsyncClient(transport=transport))
    return PlugAndCharge(provider, HttpOcspClient(5.0), ResponderPolicy())


async def test_the_provider_issues_a_contract_certificate_for_the_evs_key() -> None:
    provider = LocalContractProvider()
    csr, key = ev_csr()
    answer = await provider_app(mock_transport(provider.answer)).ev_certificate(
        ev_request(base64.b64encode(csr).decode()), 7500
    )
    assert answer.status is EvCertificateStatus.ACCEPTED and answer.reason is None
    contract = x509.load_der_x509_certificate(base64.b64decode(answer.exi_response))
    assert contract.public_key() == key.public_key()
    assert contract.issuer == provider.ca.certificate.subject
    assert contract.subject.rfc4514_string() == f"CN={emaid('CS-1', key.public_key())}"
    (forwarded,) = provider.requests
    assert forwarded == {
        "stationId": "CS-1",
        "ocppVersion": "2.0.1",
        "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
        "action": "Install",
        "exiRequest": base64.b64encode(csr).decode(),
    }


async def test_the_2_1_fields_are_forwarded_and_answered() -> None:
    provider = LocalContractProvider()
    csr, _ = ev_csr()
    request = EvCertificateRequest(
        "CS-1",
        "2.1",
        "urn:iso:std:iso:15118:-20:CommonMessages",
        "Update",
        base64.b64encode(csr).decode(),
        2,
        ("DE-ABC-C12345678-9",),
    )
    answer = await provider_app(mock_transport(provider.answer)).ev_certificate(request, 17000)
    assert (answer.status, answer.remaining_contracts) == (EvCertificateStatus.ACCEPTED, 0)
    assert provider.requests[0]["maximumContractCertificateChains"] == 2
    assert provider.requests[0]["prioritizedEMAIDs"] == ["DE-ABC-C12345678-9"]


async def test_a_request_the_provider_cannot_read_is_its_failure() -> None:
    answer = await provider_app(mock_transport(LocalContractProvider().answer)).ev_certificate(
        ev_request(base64.b64encode(b"not a csr").decode()), 7500
    )
    assert (answer.status, answer.reason, answer.exi_response) == (EvCertificateStatus.FAILED, "InvalidRequest", "")


def respond(status: int, body: object) -> httpx.MockTransport:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.MockTransport(lambda request: httpx.Response(status, content=content))


def raising(error: Exception) -> httpx.MockTransport:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    return httpx.MockTransport(fail)


@pytest.mark.parametrize(
    ("transport", "reason"),
    [
        (respond(503, {"status": "Accepted", "exiResponse": "AAAA"}), "ProviderError"),
        (respond(302, b""), "ProviderError"),  # redirects are not followed
        (respond(200, b"{not json"), "ProviderError"),
        (respond(200, {"exiResponse": "AAAA"}), "ProviderError"),
        (respond(200, {"status": "Maybe", "exiResponse": "AAAA"}), "ProviderError"),
        (respond(200, {"status": "Accepted", "exiResponse": 5}), "ProviderError"),
        (respond(200, {"status": "Accepted", "exiResponse": "not base64!"}), "ProviderError"),
        (respond(200, {"status": "Accepted", "exiResponse": "A" * 7504}), "ProviderError"),
        (respond(200, {"status": "Accepted", "exiResponse": "AAAA", "remainingContracts": -1}), "ProviderError"),
        (respond(200, {"status": "Failed", "exiResponse": "", "reasonCode": "NoContract"}), "NoContract"),
        (respond(200, {"status": "Failed", "exiResponse": "", "reasonCode": "x" * 21}), "ProviderFailed"),
        (respond(200, b"[" * 70_000), "ProviderUnavailable"),
        (raising(httpx.ReadTimeout("slow")), "ProviderTimeout"),
        (raising(httpx.ConnectError("refused")), "ProviderUnavailable"),
    ],
)
async def test_provider_failures_answer_failed(transport: httpx.MockTransport, reason: str) -> None:
    answer = await provider_app(transport).ev_certificate(ev_request("AAAA"), 7500)
    assert (answer.status, answer.reason, answer.exi_response) == (EvCertificateStatus.FAILED, reason, "")


async def test_without_a_provider_every_request_fails() -> None:
    answer = await PlugAndCharge(None, HttpOcspClient(5.0), ResponderPolicy()).ev_certificate(ev_request("AAAA"), 7500)
    assert (answer.status, answer.reason) == (EvCertificateStatus.FAILED, "NoProvider")


@pytest.mark.parametrize(
    ("states", "verdict"),
    [
        ([CertificateState.GOOD], ContractStatus.ACCEPTED),
        ([CertificateState.GOOD] * 4, ContractStatus.ACCEPTED),
        ([CertificateState.GOOD, CertificateState.REVOKED], ContractStatus.REVOKED),
        ([None, CertificateState.REVOKED], ContractStatus.REVOKED),
        ([CertificateState.GOOD, CertificateState.UNKNOWN], ContractStatus.UNVERIFIED),
        ([CertificateState.GOOD, None], ContractStatus.UNVERIFIED),
        ([], ContractStatus.UNVERIFIED),
    ],
)
def test_a_contract_chain_is_accepted_only_when_every_certificate_is_good(
    states: list[CertificateState | None], verdict: ContractStatus
) -> None:
    assert contract_status(states) is verdict
