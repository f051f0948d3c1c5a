"""The Plug & Charge HTTP adapters over real HTTP (docs/adr/0028): the kit's OCSP responder and contract-certificate
provider served on 127.0.0.1, a provider and a responder slower than the timeout, and a port nobody listens on."""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.x509 import ocsp

from csms_authorization.adapters.contract_provider_http import HttpContractCertificateProvider
from csms_authorization.adapters.ocsp_http import HttpOcspClient
from csms_authorization.app.plug_and_charge import PlugAndCharge
from csms_authorization.domain.plug_and_charge import (
    CertificateState,
    EvCertificateRequest,
    EvCertificateStatus,
    OcspRequestData,
    ResponderPolicy,
)
from kit.pnc import LocalCa, LocalContractProvider, LocalOcspResponder, ev_csr, ocsp_request_data, serving

pytestmark = pytest.mark.integration


def data_of(fields: dict[str, str]) -> OcspRequestData:
    return OcspRequestData(
        fields["hashAlgorithm"],
        fields["issuerNameHash"],
        fields["issuerKeyHash"],
        fields["serialNumber"],
        fields["responderURL"],
    )


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Lets a slow server's handler finish when the test ends."""
    event = threading.Event()
    yield event
    event.set()


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_certificate_status_over_http() -> None:
    ca = LocalCa("V2G Root")
    good, revoked = ca.issue("C-GOOD"), ca.issue("C-REVOKED")
    ca.revoke(revoked)
    responder = LocalOcspResponder(ca)
    with serving(responder.answer, "application/ocsp-response") as url:
        app = PlugAndCharge(None, HttpOcspClient(5.0), ResponderPolicy((url,)))
        answers = [
            await app.certificate_status("CS-1", data_of(ocsp_request_data(c, ca.certificate, f"{url}/ocsp")))
            for c in (good, revoked)
        ]
    assert [a.state for a in answers] == [CertificateState.GOOD, CertificateState.REVOKED]
    assert ocsp.load_der_ocsp_response(base64.b64decode(answers[1].ocsp_result or "")).revocation_time_utc is not None
    assert responder.requests == [good.serial_number, revoked.serial_number]


async def test_ev_certificate_over_http() -> None:
    provider = LocalContractProvider()
    csr, key = ev_csr()
    with serving(provider.answer, "application/json") as url:
        app = PlugAndCharge(HttpContractCertificateProvider(f"{url}/ccp", 5.0), HttpOcspClient(5.0), ResponderPolicy())
        answer = await app.ev_certificate(
            EvCertificateRequest(
                "CS-1", "2.0.1", "urn:iso:15118:2:2013:MsgDef", "Install", base64.b64encode(csr).decode()
            ),
            7500,
        )
    assert answer.status is EvCertificateStatus.ACCEPTED
    assert x509.load_der_x509_certificate(base64.b64decode(answer.exi_response)).public_key() == key.public_key()


async def test_a_slow_provider_and_responder_time_out(release: threading.Event) -> None:
    def slow(body: bytes) -> bytes:
        release.wait(10)
        return b"{}"

    ca = LocalCa("V2G Root")
    with serving(slow, "application/json") as url:
        app = PlugAndCharge(HttpContractCertificateProvider(url, 0.3), HttpOcspClient(0.3), ResponderPolicy((url,)))
        provider_answer = await app.ev_certificate(EvCertificateRequest("CS-1", "2.0.1", "x", "Install", "AAAA"), 7500)
        status = await app.certificate_status("CS-1", data_of(ocsp_request_data(ca.issue("C"), ca.certificate, url)))
    assert (provider_answer.status, provider_answer.reason) == (EvCertificateStatus.FAILED, "ProviderTimeout")
    assert (status.accepted, status.reason) == (False, "ResponderUnavailable")


async def test_nobody_listening_is_unavailable() -> None:
    url = f"http://127.0.0.1:{unused_port()}/"
    ca = LocalCa("V2G Root")
    app = PlugAndCharge(HttpContractCertificateProvider(url, 2.0), HttpOcspClient(2.0), ResponderPolicy((url,)))
    provider_answer = await app.ev_certificate(EvCertificateRequest("CS-1", "2.0.1", "x", "Install", "AAAA"), 7500)
    status = await app.certificate_status("CS-1", data_of(ocsp_request_data(ca.issue("C"), ca.certificate, url)))
    assert (provider_answer.status, provider_answer.reason) == (EvCertificateStatus.FAILED, "ProviderUnavailable")
    assert (status.accepted, status.reason) == (False, "ResponderUnavailable")
