"""Certificates in command parameters (PEM text) and in answers (OCPP CertificateHashData): parsing a PEM with
an error naming the field, the size limits each version's schema puts on certificate text, and the hash data
that identifies an installed certificate (RFC 6960 CertID: hash of the issuer's DER name, hash of the issuer's
public key bits, serial number in hex), computed from the certificate itself so an operator can delete a
certificate by giving its PEM. Pure (computation on `cryptography`); no I/O."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible, Params, snake


class CertificateUse(enum.Enum):
    """The kinds of certificate a station keeps, by neutral name (each version's names: ocpp/<version>/
    install_certificate.py and get_installed_certificate_ids.py)."""

    CSMS_ROOT = "csms_root"  # 1.6 CentralSystemRootCertificate, 2.x CSMSRootCertificate
    MANUFACTURER_ROOT = "manufacturer_root"  # firmware signing root
    V2G_ROOT = "v2g_root"  # ISO 15118 V2G root (2.x)
    MO_ROOT = "mo_root"  # ISO 15118 mobility operator root (2.x)
    OEM_ROOT = "oem_root"  # ISO 15118-20 vehicle manufacturer root (2.1)
    V2G_CERTIFICATE_CHAIN = "v2g_certificate_chain"  # the station's own V2G chain: listed, never installed (2.x)


class HashAlgorithm(enum.Enum):
    SHA256 = "SHA256"
    SHA384 = "SHA384"
    SHA512 = "SHA512"


HASHES: dict[HashAlgorithm, type[hashes.HashAlgorithm]] = {
    HashAlgorithm.SHA256: hashes.SHA256,
    HashAlgorithm.SHA384: hashes.SHA384,
    HashAlgorithm.SHA512: hashes.SHA512,
}

HASH_MAX_LENGTH = 128
"""issuerNameHash / issuerKeyHash: at most 128 characters in every version's CertificateHashDataType."""

SERIAL_MAX_LENGTH = 40
"""serialNumber: at most 40 characters in every version's CertificateHashDataType."""

_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class HashData:
    """OCPP CertificateHashDataType, version-neutral (the same four fields in 1.6, 2.0.1 and 2.1)."""

    hash_algorithm: HashAlgorithm
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str

    def ocpp(self) -> dict[str, str]:
        """As the `ocpp` dataclasses take it (snake_case)."""
        return {
            "hash_algorithm": self.hash_algorithm.value,
            "issuer_name_hash": self.issuer_name_hash,
            "issuer_key_hash": self.issuer_key_hash,
            "serial_number": self.serial_number,
        }


def pem_certificates(text: str, field: str) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM text, in order; InvalidParams naming `field` when it holds none or a broken one."""
    try:
        found = x509.load_pem_x509_certificates(text.encode("ascii"))
    except UnicodeEncodeError:
        raise InvalidParams(field, "is not PEM: PEM text is ASCII") from None
    except ValueError:
        raise InvalidParams(field, "is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)") from None
    return tuple(found)


def version_name(use: CertificateUse, names: dict[CertificateUse, str], version: str) -> str:
    """The version's name of a certificate use; NotExpressible naming the ones it has."""
    if use not in names:
        raise NotExpressible(
            f"OCPP {version} has no {use.value} certificates (it has: {', '.join(u.value for u in names)})"
        )
    return names[use]


def neutral_use(value: Any, names: dict[CertificateUse, str]) -> str:
    """The neutral name of a version's certificate use read from an answer."""
    text = str(getattr(value, "value", value))
    return next((use.value for use, name in names.items() if name == text), snake(text))


def check_length(text: str, field: str, limit: int, version: str) -> None:
    """The version's schema limit on certificate text, as an error naming the field (not a schema message)."""
    if len(text) > limit:
        raise InvalidParams(field, f"is {len(text)} characters; OCPP {version} carries at most {limit}")


def hash_data(certificates: tuple[x509.Certificate, ...], algorithm: HashAlgorithm) -> HashData:
    """The hash data of the first certificate; its issuer is the second certificate, or itself when it is
    self-signed (a root). ValueError when the issuer is not given."""
    certificate = certificates[0]
    if len(certificates) > 1:
        issuer = certificates[1]
    elif certificate.issuer == certificate.subject:
        issuer = certificate
    else:
        raise ValueError("the certificate is not self-signed: give its issuer's certificate after it in the PEM")
    if certificate.issuer != issuer.subject:
        raise ValueError("the second certificate is not the issuer of the first")
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, HASHES[algorithm]()).build()
    return HashData(
        algorithm,
        request.issuer_name_hash.hex(),
        request.issuer_key_hash.hex(),
        format(request.serial_number, "x"),
    )


def parse_hash_data(params: Params) -> HashData:
    """The four CertificateHashData fields as parameters (`hash_algorithm`, `issuer_name_hash`, `issuer_key_hash`,
    `serial_number`), each checked with an error naming it."""
    algorithm = params.choice("hash_algorithm", HashAlgorithm, required=True)
    assert algorithm is not None
    return HashData(
        algorithm,
        _hex(params, "issuer_name_hash", HASH_MAX_LENGTH),
        _hex(params, "issuer_key_hash", HASH_MAX_LENGTH),
        _hex(params, "serial_number", SERIAL_MAX_LENGTH),
    )


def read_hash_data(found: dict[str, Any]) -> dict[str, str]:
    """A station's CertificateHashDataType (as the `ocpp` dataclasses give it, snake_case) as a neutral result."""
    return {name: str(getattr(found.get(name), "value", found.get(name))) for name in _FIELDS}


_FIELDS = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")


def _hex(params: Params, name: str, limit: int) -> str:
    value = params.text(name, required=True)
    assert value is not None
    if not _HEX.fullmatch(value):
        raise InvalidParams(params.field(name), f"must be hexadecimal digits, got {value!r}")
    if len(value) > limit:
        raise InvalidParams(params.field(name), f"must be at most {limit} hexadecimal digits, got {len(value)}")
    return value
