"""Loads the certificate authorities that sign station certificates from the settings: the station CA (its
certificate file, its key from a file or from PEM text in the environment) and the optional V2G signing CA.
Side effects: reads the files; never logs a key."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from csms_kernel.pki import certificates as pki
from csms_security.domain.authority import Authorities, Authority
from csms_security.domain.csr import CHARGING_STATION, V2G
from csms_security.settings import SecuritySettings


class CaConfigurationError(ValueError):
    """The CA settings are incomplete or the files are unusable; the message says which."""


def load_authorities(settings: SecuritySettings) -> Authorities:
    """The configured CAs by the certificate type they sign (none configured: empty, every CSR is rejected)."""
    found: dict[str, Authority] = {}
    if settings.station_ca_cert_file:
        key_text = settings.station_ca_key_pem.get_secret_value()
        key_pem = key_text.encode() if key_text else None
        found[CHARGING_STATION] = _authority(settings.station_ca_cert_file, settings.station_ca_key_file, key_pem)
    elif settings.station_ca_key_file or settings.station_ca_key_pem.get_secret_value():
        raise CaConfigurationError("a station CA key is set without CSMS_SECURITY_STATION_CA_CERT_FILE")
    if settings.v2g_ca_cert_file:
        found[V2G] = _authority(settings.v2g_ca_cert_file, settings.v2g_ca_key_file, None)
    return found


def _authority(cert_file: str, key_file: str, key_pem: bytes | None) -> Authority:
    try:
        certificates = pki.load_certificates(Path(cert_file))
    except (OSError, ValueError) as exc:
        raise CaConfigurationError(f"CA certificate {cert_file}: {exc}") from exc
    if not certificates:
        raise CaConfigurationError(f"CA certificate {cert_file}: no certificate in it")
    if key_pem is None and not key_file:
        raise CaConfigurationError(f"CA certificate {cert_file} has no key (a key file or the key PEM)")
    try:
        loaded = (
            serialization.load_pem_private_key(key_pem, password=None)
            if key_pem is not None
            else pki.load_key(Path(key_file))
        )
    except (OSError, ValueError, TypeError) as exc:
        # The exception text of a failed key parse never contains the key itself.
        raise CaConfigurationError(f"CA key for {cert_file}: {exc}") from exc
    if not isinstance(loaded, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CaConfigurationError(f"CA key for {cert_file}: not an EC or RSA private key")
    certificate = certificates[0]
    if certificate.public_key() != loaded.public_key():
        raise CaConfigurationError(f"CA key for {cert_file} does not belong to its certificate")
    return Authority(certificate, loaded, tuple(certificates[1:]))
