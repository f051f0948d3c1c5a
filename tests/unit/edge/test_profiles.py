"""The security profile a connection proves (docs/adr/0024, 0025)."""

from __future__ import annotations

import pytest

from csms_edge.domain.profiles import CertificateRejected, ClientCertificate, Transport, presented_profile


@pytest.mark.parametrize(
    ("transport", "profile"),
    [
        (Transport(tls=False, remote_address="192.0.2.1"), 1),
        (Transport(tls=True, remote_address="192.0.2.1"), 2),
        (Transport(tls=True, remote_address="192.0.2.1", client_certificate=ClientCertificate("CS-1")), 3),
        (Transport(tls=True, remote_address="192.0.2.1", via_proxy=True), 2),
    ],
)
def test_profile_of_the_transport(transport: Transport, profile: int) -> None:
    assert presented_profile(transport, "CS-1") == profile


def test_a_certificate_of_another_station_is_rejected_not_downgraded() -> None:
    transport = Transport(tls=True, remote_address="192.0.2.1", client_certificate=ClientCertificate("CS-2"))
    result = presented_profile(transport, "CS-1")
    assert isinstance(result, CertificateRejected)
    assert "'CS-2'" in result.reason and "'CS-1'" in result.reason


def test_a_certificate_without_cn_is_rejected() -> None:
    transport = Transport(tls=True, remote_address="192.0.2.1", client_certificate=ClientCertificate(None))
    assert isinstance(presented_profile(transport, "CS-1"), CertificateRejected)


def test_a_certificate_that_did_not_verify_is_rejected_with_its_reason() -> None:
    certificate = ClientCertificate("CS-1", "cert is not valid at validation time")
    transport = Transport(tls=True, remote_address="192.0.2.1", client_certificate=certificate, via_proxy=True)
    assert presented_profile(transport, "CS-1") == CertificateRejected("cert is not valid at validation time")
