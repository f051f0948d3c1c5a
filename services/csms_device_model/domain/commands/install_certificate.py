"""`install-certificate`: install a root certificate on the station. Params: `certificate_type` (csms_root,
manufacturer_root, v2g_root, mo_root, oem_root; which a version has: ocpp/<version>/install_certificate.py) and
`certificate_pem` (exactly one certificate, PEM; a certificate marked not to be a CA is refused: OCPP installs
roots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography import x509

from csms_device_model.domain.commands.certificates import CertificateUse, pem_certificates
from csms_device_model.domain.commands.params import InvalidParams, Params

PEM_FIELD = "params.certificate_pem"


@dataclass(frozen=True)
class InstallCertificate:
    certificate_type: CertificateUse
    certificate_pem: str


def parse(raw: Any) -> InstallCertificate:
    params = Params(raw, ("certificate_type", "certificate_pem"))
    use = params.choice("certificate_type", CertificateUse, required=True)
    assert use is not None
    if use is CertificateUse.V2G_CERTIFICATE_CHAIN:
        raise InvalidParams(
            params.field("certificate_type"), "v2g_certificate_chain is the station's own chain: it is not installed"
        )
    pem = params.text("certificate_pem", required=True)
    assert pem is not None
    found = pem_certificates(pem, PEM_FIELD)
    if len(found) != 1:
        raise InvalidParams(PEM_FIELD, f"must hold exactly one certificate, got {len(found)}")
    try:
        constraints = found[0].extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and not constraints.ca:
        raise InvalidParams(PEM_FIELD, "is not a CA certificate (basicConstraints CA:FALSE): stations install roots")
    return InstallCertificate(use, pem)
