"""ISO 15118 Plug & Charge, pure (docs/adr/0028): the OCSP request of a GetCertificateStatus (RFC 6960, built with
`cryptography` from the station's `ocspRequestData`), the check of the responder's answer, which responder may be
asked (the station names one: only URLs of the configured allow-list, else the default responder: no SSRF), and the
records a Get15118EVCertificate exchanges with the contract-certificate provider. No I/O.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

HASH_ALGORITHMS: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
SERIAL_NUMBER_MAX_HEX = 40  # OCPP OCSPRequestDataType.serialNumber maxLength (20 bytes, RFC 5280)
OCSP_RESULT_MAX_LENGTH = 5500  # GetCertificateStatusResponse.ocspResult maxLength (base64), 2.0.1 and 2.1
_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidOcspRequestData(ValueError):
    """The station's ocspRequestData cannot name a certificate; the message says why."""


class InvalidOcspResponse(ValueError):
    """The responder's answer is not a successful OCSP response about the requested certificate."""


@dataclass(frozen=True)
class OcspRequestData:
    """OCPP OCSPRequestDataType: hashes and serial number as hexadecimal text."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
    responder_url: str


@dataclass(frozen=True)
class OcspQuery:
    """What to send a responder about one certificate: the DER request and the serial number asked about."""

    request_der: bytes
    serial_number: int


def ocsp_query(data: OcspRequestData) -> OcspQuery:
    """The RFC 6960 OCSPRequest (DER) for the certificate `data` names. Raises InvalidOcspRequestData."""
    algorithm = HASH_ALGORITHMS.get(data.hash_algorithm)
    if algorithm is None:
        raise InvalidOcspRequestData(f"hashAlgorithm must be one of {', '.join(HASH_ALGORITHMS)}")
    hash_algorithm = algorithm()
    size = hash_algorithm.digest_size
    name_hash = _hash(data.issuer_name_hash, "issuerNameHash", size)
    key_hash = _hash(data.issuer_key_hash, "issuerKeyHash", size)
    serial_number = _serial_number(data.serial_number)
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(name_hash, key_hash, serial_number, hash_algorithm)
    request = builder.build()
    return OcspQuery(request.public_bytes(serialization.Encoding.DER), serial_number)


def _hash(value: str, name: str, size: int) -> bytes:
    try:
        digest = bytes.fromhex(value)
    except ValueError:
        raise InvalidOcspRequestData(f"{name} must be hexadecimal") from None
    if len(digest) != size:
        raise InvalidOcspRequestData(f"{name} must be {size} bytes ({2 * size} hex digits), got {len(digest)}")
    return digest


def _serial_number(value: str) -> int:
    if not 1 <= len(value) <= SERIAL_NUMBER_MAX_HEX or not all(c in "0123456789abcdefABCDEF" for c in value):
        raise InvalidOcspRequestData(f"serialNumber must be 1..{SERIAL_NUMBER_MAX_HEX} hexadecimal digits")
    return int(value, 16)


class CertificateState(enum.Enum):
    """What an OCSP responder says of a certificate."""

    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


_STATES = {
    ocsp.OCSPCertStatus.GOOD: CertificateState.GOOD,
    ocsp.OCSPCertStatus.REVOKED: CertificateState.REVOKED,
    ocsp.OCSPCertStatus.UNKNOWN: CertificateState.UNKNOWN,
}


@dataclass(frozen=True)
class OcspResult:
    """A checked responder answer: the base64 `ocspResult` of GetCertificateStatusResponse and what it says."""

    encoded: str
    state: CertificateState


def ocsp_result(response_der: bytes, query: OcspQuery) -> OcspResult:
    """The responder's answer, once checked: a successful OCSP response about the requested serial number, small
    enough for ocspResult. Its signature is the station's to verify for GetCertificateStatus (it holds the trust
    anchors). Raises InvalidOcspResponse."""
    try:
        response = ocsp.load_der_ocsp_response(response_der)
    except ValueError as exc:
        raise InvalidOcspResponse(f"not an OCSP response: {exc}") from None
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise InvalidOcspResponse(f"responder answered {response.response_status.name}")
    single = next((one for one in response.responses if one.serial_number == query.serial_number), None)
    if single is None:
        raise InvalidOcspResponse("the response is not about the requested certificate")
    result = base64.b64encode(response_der).decode("ascii")
    if len(result) > OCSP_RESULT_MAX_LENGTH:
        raise InvalidOcspResponse(f"the response is longer than ocspResult allows ({OCSP_RESULT_MAX_LENGTH})")
    return OcspResult(result, _STATES[single.certificate_status])


class ContractStatus(enum.Enum):
    """The OCSP verdict on a contract certificate chain (Authorize with iso15118CertificateHashData, 2.x C07):
    every certificate good, one revoked (the token is then Invalid, C07.FR.16), or not established (a status
    unknown or not obtained)."""

    ACCEPTED = "Accepted"
    REVOKED = "CertificateRevoked"
    UNVERIFIED = "CertChainError"


def contract_status(states: Sequence[CertificateState | None]) -> ContractStatus:
    """The chain's verdict from each certificate's state (None: no usable answer)."""
    if CertificateState.REVOKED in states:
        return ContractStatus.REVOKED
    if states and all(state is CertificateState.GOOD for state in states):
        return ContractStatus.ACCEPTED
    return ContractStatus.UNVERIFIED


@dataclass(frozen=True)
class ResponderPolicy:
    """Which OCSP responders the CSMS may contact. `allowed`: URL prefixes (scheme, host, port, path prefix);
    `default`: the responder asked when the station names none or one outside the list (None: such a request
    fails)."""

    allowed: Sequence[str] = ()
    default: str | None = None


def responder_url(station_url: str, policy: ResponderPolicy) -> str | None:
    """The responder to ask: the station's when the allow-list has it, else the default (None: nobody). The
    station's URL reaches the CSMS's network from outside, so it is never followed on its own (SSRF)."""
    if station_url and any(_within(station_url, allowed) for allowed in policy.allowed):
        return station_url
    return policy.default


def _within(url: str, allowed: str) -> bool:
    candidate, prefix = _parts(url), _parts(allowed)
    if candidate is None or prefix is None:
        return False
    scheme, host, port, path = candidate
    allowed_scheme, allowed_host, allowed_port, allowed_path = prefix
    if (scheme, host, port) != (allowed_scheme, allowed_host, allowed_port):
        return False
    return path == allowed_path or path.startswith(allowed_path.rstrip("/") + "/") or allowed_path in ("", "/")


def _parts(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of a plain http(s) URL; None for anything else (credentials, odd characters,
    dot segments that would climb out of an allowed path)."""
    if any(c <= " " or c in "\\\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _SCHEMES or not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme], parts.path


class EvCertificateStatus(enum.Enum):
    ACCEPTED = "Accepted"
    FAILED = "Failed"


@dataclass(frozen=True)
class EvCertificateRequest:
    """A station's Get15118EVCertificate, version-neutral: the EV's CertificateInstallationReq/UpdateReq (EXI,
    base64) to forward to the contract-certificate provider."""

    station_id: str
    ocpp_version: str
    iso15118_schema_version: str
    action: str
    exi_request: str
    # 2.1 with ISO 15118-20 only
    maximum_contract_certificate_chains: int | None = None
    prioritized_emaids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvCertificateAnswer:
    """The provider's answer: the CertificateInstallationRes (EXI, base64) for the EV; a failure carries a
    reason code for the station's statusInfo and an empty exiResponse (the field is required)."""

    status: EvCertificateStatus
    exi_response: str = ""
    remaining_contracts: int | None = None
    reason: str | None = None
    detail: str | None = None

    @classmethod
    def failed(cls, reason: str, detail: str) -> EvCertificateAnswer:
        return cls(EvCertificateStatus.FAILED, reason=reason, detail=detail)


def check_exi(value: object, name: str, max_length: int) -> str:
    """A base64 EXI stream of at most `max_length` characters; raises ValueError naming the field."""
    if not isinstance(value, str) or len(value) > max_length:
        raise ValueError(f"{name} must be base64 text of at most {max_length} characters")
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError(f"{name} is not base64") from None
    return value
