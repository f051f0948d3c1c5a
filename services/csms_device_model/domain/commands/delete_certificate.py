"""`delete-certificate`: delete an installed certificate. Params: its hash data as `get-installed-certificate-ids`
lists it (`hash_algorithm` SHA256 | SHA384 | SHA512, `issuer_name_hash`, `issuer_key_hash`, `serial_number`,
hexadecimal), or `certificate_pem` (the certificate, followed by its issuer's unless it is self-signed) with an
optional `hash_algorithm` (default SHA256), from which the hash data is computed (`certificates.hash_data`).
Result: `{status: accepted | failed | not_found, status_info?}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.certificates import (
    HashAlgorithm,
    HashData,
    hash_data,
    parse_hash_data,
    pem_certificates,
)
from csms_device_model.domain.commands.params import InvalidParams, Params

_HASH_FIELDS = ("issuer_name_hash", "issuer_key_hash", "serial_number")


@dataclass(frozen=True)
class DeleteCertificate:
    hash_data: HashData


def parse(raw: Any) -> DeleteCertificate:
    params = Params(raw, ("hash_algorithm", *_HASH_FIELDS, "certificate_pem"))
    if not params.has("certificate_pem"):
        return DeleteCertificate(parse_hash_data(params))
    given = [name for name in _HASH_FIELDS if params.has(name)]
    if given:
        raise InvalidParams(params.field(given[0]), "give either certificate_pem or the hash data, not both")
    pem = params.text("certificate_pem", required=True)
    assert pem is not None
    algorithm = params.choice("hash_algorithm", HashAlgorithm) or HashAlgorithm.SHA256
    try:
        return DeleteCertificate(hash_data(pem_certificates(pem, params.field("certificate_pem")), algorithm))
    except ValueError as exc:
        if isinstance(exc, InvalidParams):
            raise
        raise InvalidParams(params.field("certificate_pem"), str(exc)) from None
