"""Re-verification of a client certificate a trusted proxy forwards (docs/adr/0025)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from csms_edge.domain.client_certificates import verify_chain
from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import DevPki
from kit.pki import expired_station_certificate, issue_station_certificate, other_ca


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def station_cas(pki: DevPki) -> list[x.x509.Certificate]:
    return x.load_certificates(pki.station_ca.certificate)


def test_a_station_certificate_verifies_and_names_its_station(dev_pki: DevPki) -> None:
    certificate = issue_station_certificate(dev_pki, "CS-1")
    result = verify_chain(certificate.pem, station_cas(dev_pki), now())
    assert (result.common_name, result.error) == ("CS-1", None)


def test_another_ca_expired_and_garbage_do_not_verify(dev_pki: DevPki, tmp_path: Path) -> None:
    foreign = issue_station_certificate(dev_pki, "CS-1", ca=other_ca(tmp_path / "other"))
    expired = expired_station_certificate(dev_pki, "CS-1")
    cas = station_cas(dev_pki)
    assert "signature" in (verify_chain(foreign.pem, cas, now()).error or "")
    assert "not valid at validation time" in (verify_chain(expired.pem, cas, now()).error or "")
    assert verify_chain(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", cas, now()).error
    assert (
        verify_chain(issue_station_certificate(dev_pki, "CS-1").pem, [], now()).error == "no station CA is configured"
    )


def test_the_server_certificate_is_no_station_certificate(dev_pki: DevPki) -> None:
    """Signed by the root CA, not the station CA: never a profile 3 credential."""
    result = verify_chain(dev_pki.server_chain.read_bytes(), station_cas(dev_pki), now())
    assert result.common_name == "localhost" and result.error is not None
