"""A local Plug & Charge world for tests (docs/adr/0028): a CA with its own revocation list, an OCSP responder that
answers good / revoked / unknown from that list (RFC 6960 over HTTP POST, responses signed by the CA with
cryptography's OCSPResponseBuilder), and a contract-certificate provider that issues a real contract certificate
for the key the request carries. Both answer from the request, never with a constant; both run an
`http.server.ThreadingHTTPServer` on 127.0.0.1 in a thread, and their pure `answer` methods serve unit tests
through `httpx.MockTransport`.

The provider's exiRequest stands in for the EXI CertificateInstallationReq with a DER certificate signing request
(the EV's public key and its name): the CSMS forwards exiRequest/exiResponse as opaque base64 either way, and a
real EXI codec is the provider's business, not the CSMS's.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from csms_kernel.pki import certificates

EMAID_PREFIX = "DE-CSM-C"


class LocalCa:
    """A CA that issues end-entity certificates and keeps the list of those it revoked."""

    def __init__(self, common_name: str) -> None:
        self.key = certificates.new_key()
        self.certificate = certificates.self_signed_ca(
            certificates.name(common_name, "CSMS Test PKI"), self.key, days=30
        )
        self.issued: dict[int, x509.Certificate] = {}
        self.revoked: dict[int, dt.datetime] = {}

    def issue(self, common_name: str, public_key: Any | None = None) -> x509.Certificate:
        key = public_key or certificates.new_key().public_key()
        issued = certificates.issue(self.certificate, self.key, certificates.name(common_name), key, days=7)
        self.issued[issued.serial_number] = issued
        return issued

    def revoke(self, certificate: x509.Certificate) -> None:
        self.revoked[certificate.serial_number] = dt.datetime.now(dt.UTC).replace(microsecond=0)


def ocsp_request_data(
    certificate: x509.Certificate, issuer: x509.Certificate, responder_url: str, algorithm: str = "SHA256"
) -> dict[str, str]:
    """The OCPP ocspRequestData a station sends about `certificate` (hashes as a station computes them: those of an
    RFC 6960 CertID, in hex; the serial number in hex)."""
    hash_algorithm = {"SHA256": hashes.SHA256(), "SHA384": hashes.SHA384(), "SHA512": hashes.SHA512()}[algorithm]
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hash_algorithm).build()
    return {
        "hashAlgorithm": algorithm,
        "issuerNameHash": request.issuer_name_hash.hex(),
        "issuerKeyHash": request.issuer_key_hash.hex(),
        "serialNumber": format(request.serial_number, "X"),
        "responderURL": responder_url,
    }


@dataclass
class LocalOcspResponder:
    """Answers OCSP requests about `ca`'s certificates: good, revoked (with its time) or unknown (never issued);
    a request about another issuer gets `unauthorized`, a request that does not parse `malformedRequest`.
    `requests` counts what it was asked."""

    ca: LocalCa
    requests: list[int] = field(default_factory=list)

    def answer(self, body: bytes) -> bytes:
        try:
            request = ocsp.load_der_ocsp_request(body)
        except ValueError:
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        self.requests.append(request.serial_number)
        issuer = self.ca.certificate
        expected = ocsp.OCSPRequestBuilder().add_certificate(issuer, issuer, request.hash_algorithm).build()
        if (request.issuer_name_hash, request.issuer_key_hash) != (expected.issuer_name_hash, expected.issuer_key_hash):
            return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
        serial = request.serial_number
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        certificate = self.ca.issued.get(serial)
        if certificate is None:
            # Unknown: the CertID is echoed with a certificate of the right issuer (only the hashes and serial
            # number of the one given are used); cryptography needs a certificate to build one.
            status, revoked_at, certificate = ocsp.OCSPCertStatus.UNKNOWN, None, _stand_in(self.ca, serial)
        elif serial in self.ca.revoked:
            status, revoked_at = ocsp.OCSPCertStatus.REVOKED, self.ca.revoked[serial]
        else:
            status, revoked_at = ocsp.OCSPCertStatus.GOOD, None
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=certificate,
                issuer=issuer,
                algorithm=request.hash_algorithm,
                cert_status=status,
                this_update=now,
                next_update=now + dt.timedelta(hours=1),
                revocation_time=revoked_at,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
        )
        return builder.sign(self.ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


def _stand_in(ca: LocalCa, serial: int) -> x509.Certificate:
    key = certificates.new_key()
    return (
        x509.CertificateBuilder()
        .subject_name(certificates.name("unknown"))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(ca.certificate.not_valid_before_utc)
        .not_valid_after(ca.certificate.not_valid_after_utc)
        .sign(ca.key, hashes.SHA256())
    )


@dataclass
class LocalContractProvider:
    """A contract-certificate provider (the protocol of csms_authorization.adapters.contract_provider_http): for
    an exiRequest holding a DER CSR it issues, with its mobility operator CA, a contract certificate for the CSR's
    key whose CN is an eMAID derived from the station and the key; a request it cannot read is Failed.
    `requests` keeps every request body."""

    ca: LocalCa = field(default_factory=lambda: LocalCa("Test MO Sub-CA"))
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, body: bytes) -> tuple[int, bytes]:
        try:
            request = json.loads(body)
            csr = x509.load_der_x509_csr(base64.b64decode(request["exiRequest"], validate=True))
            station_id = str(request["stationId"])
        except (ValueError, KeyError, TypeError):
            return 200, json.dumps({"status": "Failed", "exiResponse": "", "reasonCode": "InvalidRequest"}).encode()
        self.requests.append(request)
        contract = self.ca.issue(emaid(station_id, csr.public_key()), csr.public_key())
        answer: dict[str, Any] = {
            "status": "Accepted",
            "exiResponse": base64.b64encode(contract.public_bytes(serialization.Encoding.DER)).decode(),
        }
        if request.get("ocppVersion") == "2.1":
            answer["remainingContracts"] = 0
        return 200, json.dumps(answer).encode()


def emaid(station_id: str, public_key: Any) -> str:
    """The eMAID the provider gives a contract: derived from the station and the EV's key."""
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return EMAID_PREFIX + hashlib.sha256(station_id.encode() + spki).hexdigest()[:9].upper()


def ev_csr(common_name: str = "EV-VIN-0001") -> tuple[bytes, Any]:
    """A DER CSR of a new EV key (the exiRequest of the local provider) and the key."""
    key = certificates.new_key()
    csr = (
        x509.CertificateSigningRequestBuilder().subject_name(certificates.name(common_name)).sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.DER), key


def mock_transport(answer: Callable[[bytes], tuple[int, bytes] | bytes]) -> httpx.MockTransport:
    """An httpx transport that hands each request body to `answer` (no network: unit tests)."""

    def handle(request: httpx.Request) -> httpx.Response:
        answered = answer(request.read())
        status, body = answered if isinstance(answered, tuple) else (200, answered)
        return httpx.Response(status, content=body)

    return httpx.MockTransport(handle)


@contextmanager
def serving(answer: Callable[[bytes], tuple[int, bytes] | bytes], content_type: str) -> Iterator[str]:
    """Serves `answer` over HTTP POST on 127.0.0.1 (a free port) in a thread; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            answered = answer(body)
            status, content = answered if isinstance(answered, tuple) else (200, answered)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="kit-pnc-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class PlugAndChargeWorld:
    """A local OCSP responder (for its CA's certificates) and contract-certificate provider, both served, and the
    authorization settings that point a CSMS at them."""

    ocsp: LocalOcspResponder
    ocsp_url: str
    provider: LocalContractProvider
    provider_url: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "CSMS_AUTHORIZATION_CONTRACT_PROVIDER_URL": self.provider_url,
            "CSMS_AUTHORIZATION_OCSP_RESPONDER_ALLOWLIST": json.dumps([self.ocsp_url]),
        }

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[PlugAndChargeWorld]:
        ocsp, provider = LocalOcspResponder(LocalCa("Local V2G Root")), LocalContractProvider()
        with serving(ocsp.answer, "application/ocsp-response") as ocsp_url:
            with serving(provider.answer, "application/json") as provider_url:
                yield cls(ocsp, f"{ocsp_url}/ocsp", provider, f"{provider_url}/ccp")
