"""The CSR checks before the station CA signs: each refusal names its check."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from csms_kernel.pki import certificates as pki
from csms_security.domain.csr import CHARGING_STATION, MAX_CSR_LENGTH, V2G, CsrRefused, check_csr
from kit.builders.security import STATION, csr_pem, rsa_1024, with_bad_signature

SIGNABLE = frozenset({CHARGING_STATION})


def refusal(pem: str, certificate_type: str = CHARGING_STATION, signable: frozenset[str] = SIGNABLE) -> str:
    with pytest.raises(CsrRefused) as refused:
        check_csr(pem, STATION, certificate_type, signable)
    return refused.value.reason


@pytest.mark.parametrize("kind", ["ec-p256", "ec-p384", "rsa-2048"])
def test_a_well_formed_csr_of_the_station_with_a_strong_key_passes(kind: str) -> None:
    csr = check_csr(csr_pem(key=pki.new_key(kind)), STATION, CHARGING_STATION, SIGNABLE)
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == STATION


def test_malformed_pem_is_refused() -> None:
    assert refusal("-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n") == (
        "malformed"
    )
    assert refusal("garbage") == "malformed"
    assert refusal("CSR with non-ASCII é") == "malformed"


def test_an_oversize_csr_is_refused_before_parsing() -> None:
    assert refusal(csr_pem() + " " * MAX_CSR_LENGTH) == "too_large"


def test_a_csr_for_another_station_is_refused() -> None:
    assert refusal(csr_pem("CS-2")) == "wrong_common_name"


def test_a_csr_with_two_common_names_is_refused() -> None:
    assert refusal(csr_pem(extra_names=(x509.NameAttribute(NameOID.COMMON_NAME, "CS-2"),))) == "wrong_common_name"


def test_rsa_1024_is_refused() -> None:
    assert refusal(csr_pem(key=rsa_1024())) == "weak_key"


def test_an_ec_curve_other_than_p256_or_p384_is_refused() -> None:
    assert refusal(csr_pem(key=ec.generate_private_key(ec.SECP521R1()))) == "weak_key"


def test_a_csr_whose_signature_does_not_verify_is_refused() -> None:
    assert refusal(with_bad_signature(csr_pem())) == "bad_signature"


def test_a_type_without_a_configured_ca_is_refused() -> None:
    assert refusal(csr_pem(), V2G) == "unsupported_type"
    assert refusal(csr_pem(), CHARGING_STATION, frozenset()) == "unsupported_type"


def test_v2g_passes_when_its_ca_is_configured() -> None:
    check_csr(csr_pem(), STATION, V2G, frozenset({CHARGING_STATION, V2G}))
