"""The development PKI: created once, kept across calls, keys owner-only, and usable for real TLS handshakes
(server certificate against the root; internal mutual TLS; a station certificate against the station CA)."""

from __future__ import annotations

import ssl
import stat
from pathlib import Path

import pytest

from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import INTERNAL_IDENTITIES, DevPki, ensure_dev_pki
from kit.tls import handshake as _handshake


def _server_context(pki: DevPki) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_chain, pki.server.key)
    return context


def test_creates_every_file_with_owner_only_keys(tmp_path: Path) -> None:
    pki = ensure_dev_pki(tmp_path / "pki")
    pairs = [pki.root_ca, pki.server, pki.station_ca, pki.internal_ca, *map(pki.internal, INTERNAL_IDENTITIES)]
    for pair in pairs:
        assert x.load_certificates(pair.certificate)
        assert stat.S_IMODE(pair.key.stat().st_mode) == 0o600
        x.load_key(pair.key)
    assert len(x.load_certificates(pki.server_chain)) == 2


def test_a_second_call_keeps_the_existing_authorities(tmp_path: Path) -> None:
    first = ensure_dev_pki(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    (first.server.certificate).unlink()
    ensure_dev_pki(tmp_path)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert before.keys() == after.keys()
    assert after[first.root_ca.certificate] == before[first.root_ca.certificate]
    assert after[first.station_ca.key] == before[first.station_ca.key]
    assert after[first.server.certificate] != before[first.server.certificate]


def test_the_server_certificate_verifies_against_the_root_for_localhost(tmp_path: Path) -> None:
    pki = ensure_dev_pki(tmp_path)
    client = ssl.create_default_context(cafile=pki.root_ca.certificate)
    _handshake(_server_context(pki), client)
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(_server_context(pki), client, server_hostname="csms.example.com")


def test_a_station_certificate_from_the_station_ca_passes_mutual_tls_and_carries_its_id(tmp_path: Path) -> None:
    pki = ensure_dev_pki(tmp_path)
    ca, ca_key = x.load_certificates(pki.station_ca.certificate)[0], x.load_key(pki.station_ca.key)
    key = x.new_key()
    station = x.issue(ca, ca_key, x.name("CS-1", "Operator"), key.public_key(), days=30)
    x.write_certificate(tmp_path / "cs1.pem", station)
    x.write_key(tmp_path / "cs1.key", key)
    server = _server_context(pki)
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(pki.station_ca.certificate)
    client = ssl.create_default_context(cafile=pki.root_ca.certificate)
    client.load_cert_chain(tmp_path / "cs1.pem", tmp_path / "cs1.key")
    peer = _handshake(server, client).getpeercert(binary_form=True)
    assert peer is not None
    assert x.common_name(x.x509.load_der_x509_certificate(peer)) == "CS-1"


def test_internal_identities_authenticate_each_other(tmp_path: Path) -> None:
    pki = ensure_dev_pki(tmp_path)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(pki.internal("authorization").certificate, pki.internal("authorization").key)
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(pki.internal_ca.certificate)
    client = ssl.create_default_context(cafile=pki.internal_ca.certificate)
    client.load_cert_chain(pki.internal("edge").certificate, pki.internal("edge").key)
    peer = _handshake(server, client).getpeercert(binary_form=True)
    assert peer is not None
    assert x.common_name(x.x509.load_der_x509_certificate(peer)) == "edge"
    with pytest.raises(ValueError, match="unknown internal identity"):
        pki.internal("mallory")


def test_new_key_refuses_weak_or_unknown_kinds() -> None:
    for kind in ("rsa-1024", "dsa", "ec-p192"):
        with pytest.raises(ValueError):
            x.new_key(kind)
