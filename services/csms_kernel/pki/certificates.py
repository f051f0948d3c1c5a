"""X.509 building blocks on `cryptography`: keys, self-signed CAs, issued certificates, PEM encoding and loading.
Pure except `load_*` (read files) and `write_*` (write files; keys are written owner-only)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes, CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

DEVELOPMENT_ORGANIZATION = "CSMS Development"
"""The organization of every development certificate: production mode refuses a CA or server certificate with it."""

BACKDATE = dt.timedelta(minutes=5)
"""Certificates start this long before now, for clocks slightly behind ours."""


def new_key(kind: str = "ec-p256") -> PrivateKey:
    """A new private key: `ec-p256`, `ec-p384` or `rsa-<bits>` (bits >= 2048)."""
    if kind == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ec-p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind.startswith("rsa-") and kind[4:].isdigit() and int(kind[4:]) >= 2048:
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[4:]))
    raise ValueError(f"unknown key kind {kind!r} (ec-p256, ec-p384, rsa-<bits> with bits >= 2048)")


def name(common_name: str, organization: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def self_signed_ca(
    subject: x509.Name, key: PrivateKey, *, days: int, now: dt.datetime | None = None, path_length: int | None = 0
) -> x509.Certificate:
    """A root CA certificate for `key`, valid `days` days, allowed to sign certificates (and CRLs/OCSP)."""
    start = (now or dt.datetime.now(dt.UTC)) - BACKDATE
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(key, hashes.SHA256())


def issue(
    issuer: x509.Certificate,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    subject: x509.Name,
    public_key: CertificatePublicKeyTypes,
    *,
    days: int,
    client: bool = True,
    server: bool = False,
    dns_names: Iterable[str] = (),
    ip_addresses: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """An end-entity certificate for `public_key` signed by `issuer`, for TLS client and/or server use."""
    start = (now or dt.datetime.now(dt.UTC)) - BACKDATE
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH] * client + [ExtendedKeyUsageOID.SERVER_AUTH] * server
    if not usages:
        raise ValueError("a certificate needs client or server use")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + dt.timedelta(days=days), issuer.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_leaf_usage(public_key), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    alternative = [x509.DNSName(dns) for dns in dns_names] + [
        x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses
    ]
    if alternative:
        builder = builder.add_extension(x509.SubjectAlternativeName(alternative), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def common_name(certificate: x509.Certificate) -> str | None:
    """The subject's (last) CN, or None."""
    values = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not values:
        return None
    value = values[-1].value
    return value if isinstance(value, str) else value.decode()


def certificate_pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_certificates(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def load_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an EC or RSA private key")
    return key


def write_certificate(path: Path, *certificates: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(certificate_pem(*certificates))


def write_key(path: Path, key: PrivateKey) -> None:
    """Writes the key readable by its owner only (created with mode 0600, never world-readable in between)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key_pem(key))
    os.chmod(path, 0o600)


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(public_key: CertificatePublicKeyTypes) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=isinstance(public_key, rsa.RSAPublicKey),
        data_encipherment=False,
        key_agreement=isinstance(public_key, ec.EllipticCurvePublicKey),
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
