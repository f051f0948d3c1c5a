"""`get-installed-certificate-ids`: list the certificates the station has installed, by their hash data. Params:
optional `certificate_types` (a list of csms_root, manufacturer_root, v2g_root, mo_root, oem_root,
v2g_certificate_chain; none: every type). Result: `{status, status_info?, certificates: [{certificate_type,
hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number, child_certificates?}]}` (`status`
`accepted` when any certificate was found, else `not_found`); the hash data is what `delete-certificate` takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.certificates import CertificateUse
from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class GetInstalledCertificateIds:
    certificate_types: tuple[CertificateUse, ...] = ()  # empty: all


def parse(raw: Any) -> GetInstalledCertificateIds:
    params = Params(raw, ("certificate_types",))
    listed = params.items("certificate_types") or []
    uses: list[CertificateUse] = []
    for i, value in enumerate(listed):
        where = f"{params.field('certificate_types')}[{i}]"
        try:
            use = CertificateUse(value)
        except ValueError:
            names = ", ".join(u.value for u in CertificateUse)
            raise InvalidParams(where, f"must be one of {names}, got {value!r}") from None
        if use not in uses:
            uses.append(use)
    return GetInstalledCertificateIds(tuple(uses))
