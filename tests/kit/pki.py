"""Certificates for tests on top of the development PKI (`csms_kernel.pki.dev`): station client certificates
(from the station CA, another CA, expired) and the stations' TLS client contexts. Writes files under the PKI
directory given.
"""

from __future__ import annotations

import datetime as dt
import ssl
import uuid
from dataclasses import dataclass
from pathlib import Path

from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import DevPki, Pair, ensure_dev_pki


@dataclass(frozen=True)
class StationCertificate:
    station_id: str
    pair: Pair

    @property
    def pem(self) -> bytes:
        return self.pair.certificate.read_bytes()


def issue_station_certificate(
    pki: DevPki, station_id: str, *, ca: Pair | None = None, days: int = 30, now: dt.datetime | None = None
) -> StationCertificate:
    """A client certificate with subject CN `station_id`, signed by `ca` (default: the station CA), valid
    `days` days from `now` (default: now); written to `<pki>/stations/<id>-<random>.pem|key`."""
    issuer_pair = ca or pki.station_ca
    issuer = x.load_certificates(issuer_pair.certificate)[0]
    key = x.new_key()
    certificate = x.issue(issuer, x.load_key(issuer_pair.key), x.name(station_id), key.public_key(), days=days, now=now)
    stem = pki.directory / "stations" / f"{station_id}-{uuid.uuid4().hex[:8]}"
    pair = Pair(stem.with_suffix(".pem"), stem.with_suffix(".key"))
    x.write_key(pair.key, key)
    x.write_certificate(pair.certificate, certificate)
    return StationCertificate(station_id, pair)


def expired_station_certificate(pki: DevPki, station_id: str) -> StationCertificate:
    return issue_station_certificate(pki, station_id, days=1, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))


def other_ca(directory: Path) -> Pair:
    """A CA the edge does not trust (a separate development PKI's station CA)."""
    return ensure_dev_pki(directory).station_ca


def station_tls_context(pki: DevPki, certificate: StationCertificate | None = None) -> ssl.SSLContext:
    """What a station uses for wss://: trusts the CSMS root CA; presents `certificate` (profile 3) if given."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(pki.root_ca.certificate))
    if certificate is not None:
        context.load_cert_chain(certificate.pair.certificate, certificate.pair.key)
    return context
