"""Checks a station's certificate signing request (SignCertificate) before the station CA signs it. Pure.

A CSR is signed only when every check passes: it is at most `MAX_CSR_LENGTH` characters (the schemas' maxLength),
parses as one PEM `CERTIFICATE REQUEST`, its self-signature verifies, its key is EC P-256/P-384 or RSA of at
least 2048 bits, its subject CN equals the station id (the binding the edge checks for security profile 3) and
the certificate type is one this CSMS signs. A refusal names the check (`reason`) and says why (`text`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

MAX_CSR_LENGTH = 5500
MIN_RSA_BITS = 2048
EC_CURVES = frozenset({"secp256r1", "secp384r1"})

CHARGING_STATION = "ChargingStationCertificate"
V2G = "V2GCertificate"


@dataclass(frozen=True)
class CsrRefused(Exception):
    reason: str
    text: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.text}"


def check_csr(
    csr_pem: str, station_id: str, certificate_type: str, signable_types: frozenset[str]
) -> x509.CertificateSigningRequest:
    """The parsed CSR when it may be signed for `station_id`; CsrRefused otherwise."""
    if certificate_type not in signable_types:
        raise CsrRefused("unsupported_type", f"this CSMS does not sign a {certificate_type}")
    if len(csr_pem) > MAX_CSR_LENGTH:
        raise CsrRefused("too_large", f"CSR of {len(csr_pem)} characters (at most {MAX_CSR_LENGTH})")
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CsrRefused("malformed", "not a PEM certificate signing request") from exc
    try:
        signature_valid = csr.is_signature_valid
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CsrRefused("bad_signature", "the CSR's signature cannot be verified") from exc
    if not signature_valid:
        raise CsrRefused("bad_signature", "the CSR's signature does not verify with its own key")
    _check_key(csr)
    names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = names[-1].value if names else None
    if len(names) != 1 or common_name != station_id:
        raise CsrRefused("wrong_common_name", "the subject CN must be the station id")
    return csr


def _check_key(csr: x509.CertificateSigningRequest) -> None:
    try:
        key = csr.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CsrRefused("weak_key", "unsupported public key") from exc
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in EC_CURVES:
            raise CsrRefused("weak_key", f"EC curve {key.curve.name} (P-256 or P-384 required)")
        return
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise CsrRefused("weak_key", f"RSA key of {key.key_size} bits (at least {MIN_RSA_BITS} required)")
        return
    raise CsrRefused("weak_key", f"{type(key).__name__} keys are not accepted (EC P-256/P-384 or RSA >= 2048)")
