"""Production mode (`CSMS_ENVIRONMENT=production`, docs/adr/0029-internal-surface.md): a process refuses to start
with a development secret instead of warning.

Refused everywhere: gRPC without mutual TLS, and any configured certificate (a `*_file` setting, path or string,
naming a PEM file with certificates, or a setting holding PEM certificates itself, nested settings included)
issued to or by the development PKI's organization (`csms_kernel.pki.certificates.DEVELOPMENT_ORGANIZATION`).
Each settings class adds its own through `CommonSettings.development_secrets()` (e.g. an empty password pepper or
cursor secret).
Side effects: `refuse_development_secrets` reads the configured certificate files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID
from pydantic import BaseModel, SecretStr

from csms_kernel.infra.settings import CommonSettings
from csms_kernel.pki.certificates import DEVELOPMENT_ORGANIZATION

PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


class DevelopmentSecrets(SystemExit):
    """Ends the process with exit status 1 and the reasons on stderr."""

    def __init__(self, reasons: list[str]) -> None:
        lines = "\n".join(f"  - {reason}" for reason in reasons)
        super().__init__(
            f"refusing to start in production (CSMS_ENVIRONMENT=production) with development secrets:\n{lines}"
        )
        self.reasons = reasons


def refusals(settings: CommonSettings) -> list[str]:
    """What production refuses in `settings` (empty: nothing), whatever the environment setting says."""
    reasons = []
    if settings.grpc_tls is None:
        reasons.append(
            "gRPC without TLS: set CSMS_GRPC_TLS_CA_FILE, CSMS_GRPC_TLS_CERT_FILE and CSMS_GRPC_TLS_KEY_FILE"
        )
    for name, pem in _certificate_settings(settings):
        reasons.extend(f"{name}: {problem}" for problem in _development_certificates(pem))
    reasons.extend(settings.development_secrets())
    return reasons


def refuse_development_secrets(settings: CommonSettings) -> None:
    """Raises `DevelopmentSecrets` in production when `refusals(settings)` finds any; nothing otherwise."""
    if settings.environment != "production":
        return
    reasons = refusals(settings)
    if reasons:
        raise DevelopmentSecrets(reasons)


def _certificate_settings(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, bytes | str]]:
    """(setting name, PEM or problem) of every setting that names or holds certificates."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _certificate_settings(value, f"{prefix}{name}.")
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str) and PEM_CERTIFICATE.decode() in value:
            yield prefix + name, value.encode()
        elif isinstance(value, Path | str) and value and name.endswith("_file"):
            try:
                content = Path(value).read_bytes()
            except OSError as exc:
                yield prefix + name, f"cannot read {value}: {exc.strerror}"
                continue
            if PEM_CERTIFICATE in content:
                yield prefix + name, content


def _development_certificates(pem: bytes | str) -> list[str]:
    if isinstance(pem, str):
        return [pem]
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        return ["not a readable PEM certificate"]
    problems = []
    for certificate in certificates:
        for role, name in (("subject", certificate.subject), ("issuer", certificate.issuer)):
            organizations = [attribute.value for attribute in name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
            if DEVELOPMENT_ORGANIZATION in organizations:
                problems.append(f"certificate {certificate.subject.rfc4514_string()!r}: {role} of the development PKI")
                break
    return problems
