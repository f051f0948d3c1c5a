"""Loading the station CA from the settings: certificate and key files, or the key as PEM text; unusable
configurations are refused with a message that never contains the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from csms_kernel.pki import certificates as pki
from csms_kernel.pki.dev import ensure_dev_pki
from csms_security.adapters.station_ca import CaConfigurationError, load_authorities
from csms_security.domain.csr import CHARGING_STATION, V2G
from csms_security.settings import SecuritySettings


def test_no_ca_configured_signs_nothing() -> None:
    assert load_authorities(SecuritySettings()) == {}


def test_the_station_ca_from_files(tmp_path: Path) -> None:
    ca = ensure_dev_pki(tmp_path).station_ca
    settings = SecuritySettings(station_ca_cert_file=str(ca.certificate), station_ca_key_file=str(ca.key))
    authorities = load_authorities(settings)
    assert set(authorities) == {CHARGING_STATION}
    assert authorities[CHARGING_STATION].certificate == pki.load_certificates(ca.certificate)[0]


def test_the_key_as_pem_text_and_a_v2g_ca(tmp_path: Path) -> None:
    pair = ensure_dev_pki(tmp_path).station_ca
    settings = SecuritySettings(
        station_ca_cert_file=str(pair.certificate),
        station_ca_key_pem=SecretStr(pair.key.read_text()),
        v2g_ca_cert_file=str(pair.certificate),
        v2g_ca_key_file=str(pair.key),
    )
    assert set(load_authorities(settings)) == {CHARGING_STATION, V2G}


def test_a_key_of_another_ca_is_refused(tmp_path: Path) -> None:
    pki_dir = ensure_dev_pki(tmp_path)
    settings = SecuritySettings(
        station_ca_cert_file=str(pki_dir.station_ca.certificate), station_ca_key_file=str(pki_dir.root_ca.key)
    )
    with pytest.raises(CaConfigurationError, match="does not belong to its certificate"):
        load_authorities(settings)


def test_a_key_without_certificate_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CaConfigurationError, match="without CSMS_SECURITY_STATION_CA_CERT_FILE"):
        load_authorities(SecuritySettings(station_ca_key_file="x.key"))
    with pytest.raises(CaConfigurationError, match="without CSMS_SECURITY_STATION_CA_CERT_FILE"):
        load_authorities(SecuritySettings(station_ca_key_pem=SecretStr("pem")))
    with pytest.raises(CaConfigurationError, match="CA certificate"):
        load_authorities(SecuritySettings(station_ca_cert_file=str(tmp_path / "missing.pem"), station_ca_key_file="k"))


def test_a_malformed_key_pem_is_refused_without_echoing_it(tmp_path: Path) -> None:
    ca = ensure_dev_pki(tmp_path).station_ca
    secret = "-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----\n"
    with pytest.raises(CaConfigurationError) as refused:
        load_authorities(
            SecuritySettings(station_ca_cert_file=str(ca.certificate), station_ca_key_pem=SecretStr(secret))
        )
    assert "SECRETSECRET" not in str(refused.value)
    assert "SECRETSECRET" not in repr(SecuritySettings(station_ca_key_pem=SecretStr(secret)))
