"""The wss:// TLS contexts: protocol floor, OCPP cipher suites, client certificates, reload (docs/adr/0025)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import ssl
from pathlib import Path

import pytest

from csms_edge.adapters.tls import ReloadingTls, TlsConfigError, TlsFiles, peer_certificate
from csms_edge.domain.client_certificates import check_validity
from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import DevPki, ensure_dev_pki
from kit.pki import expired_station_certificate, issue_station_certificate, other_ca, station_tls_context
from kit.tls import handshake


def copy_pki(source: DevPki, directory: Path) -> TlsFiles:
    """The server and station CA files of `source`, copied (so a test may replace them)."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in (source.server_chain, source.server.key, source.station_ca.certificate):
        shutil.copy(path, directory / path.name)
    return TlsFiles(directory / "server-chain.pem", directory / "server.key", directory / "station-ca.pem")


def peer_common_name(server: ssl.SSLObject) -> tuple[bool, str | None]:
    certificate = peer_certificate(server)
    return (certificate is not None, x.common_name(certificate) if certificate is not None else None)


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_without_a_client_certificate_the_connection_is_tls_only(dev_pki: DevPki, tmp_path: Path) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path))
    server = handshake(tls.context, station_tls_context(dev_pki))
    assert peer_common_name(server) == (False, None)
    assert server.version() in ("TLSv1.2", "TLSv1.3")


def test_a_station_certificate_is_read(dev_pki: DevPki, tmp_path: Path) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path))
    certificate = issue_station_certificate(dev_pki, "CS-7")
    assert peer_common_name(handshake(tls.context, station_tls_context(dev_pki, certificate))) == (True, "CS-7")


def test_a_certificate_of_another_ca_fails_the_tls_handshake(dev_pki: DevPki, tmp_path: Path) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path / "edge"))
    certificate = issue_station_certificate(dev_pki, "CS-1", ca=other_ca(tmp_path / "other"))
    refused: list[tuple[str, str]] = []
    tls.on_refused = lambda address, reason: refused.append((address, reason))
    with pytest.raises(ssl.SSLError, match=r"unknown ca|certificate verify failed|alert"):
        handshake(tls.context, station_tls_context(dev_pki, certificate))
    # in memory there is no socket, so no address (the integration suite sees the real one)
    assert refused == [("", "unable to get local issuer certificate")]


def test_a_trusted_certificate_is_not_reported(dev_pki: DevPki, tmp_path: Path) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path / "edge"))
    refused: list[tuple[str, str]] = []
    tls.on_refused = lambda address, reason: refused.append((address, reason))
    handshake(tls.context, station_tls_context(dev_pki, issue_station_certificate(dev_pki, "CS-1")))
    assert refused == []


def test_an_expired_certificate_passes_tls_and_is_refused_by_its_validity_check(
    dev_pki: DevPki, tmp_path: Path
) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path))
    server = handshake(tls.context, station_tls_context(dev_pki, expired_station_certificate(dev_pki, "CS-1")))
    certificate = peer_certificate(server)
    assert certificate is not None
    checked = check_validity(certificate, tls.station_cas, dt.datetime.now(dt.UTC))
    assert checked.common_name == "CS-1"
    assert checked.error is not None and checked.error.startswith("client certificate expired at ")
    fresh = peer_certificate(
        handshake(tls.context, station_tls_context(dev_pki, issue_station_certificate(dev_pki, "CS-1")))
    )
    assert fresh is not None and check_validity(fresh, tls.station_cas, dt.datetime.now(dt.UTC)).error is None


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_below_1_2_is_refused(dev_pki: DevPki, tmp_path: Path) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path))
    client = station_tls_context(dev_pki)
    client.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    client.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError):
        handshake(tls.context, client)


def test_tls_1_2_negotiates_an_ocpp_suite_and_others_are_refused(dev_pki: DevPki, tmp_path: Path) -> None:
    tls = ReloadingTls(copy_pki(dev_pki, tmp_path))
    client = station_tls_context(dev_pki)
    client.maximum_version = ssl.TLSVersion.TLSv1_2
    cipher = handshake(tls.context, client).cipher()
    assert cipher is not None and cipher[0] in ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384")
    client.set_ciphers("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256")
    with pytest.raises(ssl.SSLError):
        handshake(tls.context, client)


def test_new_files_serve_new_connections_and_a_broken_set_keeps_the_old(dev_pki: DevPki, tmp_path: Path) -> None:
    files = copy_pki(dev_pki, tmp_path / "edge")
    tls = ReloadingTls(files)
    assert not tls.reload_if_changed()
    renewed = ensure_dev_pki(tmp_path / "renewed")
    shutil.copy(renewed.server_chain, files.certificate)
    shutil.copy(renewed.server.key, files.key)
    shutil.copy(renewed.station_ca.certificate, files.station_ca or Path())
    touch_later(files.certificate)
    assert tls.reload_if_changed()
    assert peer_common_name(
        handshake(tls.context, station_tls_context(renewed, issue_station_certificate(renewed, "CS-1")))
    ) == (True, "CS-1")
    with pytest.raises(ssl.SSLError):  # the old root no longer verifies the server, the old CA no station
        handshake(tls.context, station_tls_context(dev_pki))
    files.key.write_text("not a key")
    touch_later(files.key)
    assert not tls.reload_if_changed()
    assert peer_common_name(handshake(tls.context, station_tls_context(renewed))) == (False, None)


def test_missing_files_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TlsConfigError, match="server certificate"):
        ReloadingTls(TlsFiles(tmp_path / "none.pem", tmp_path / "none.key", None))


def test_without_a_station_ca_no_client_certificate_is_requested(dev_pki: DevPki, tmp_path: Path) -> None:
    files = copy_pki(dev_pki, tmp_path)
    tls = ReloadingTls(TlsFiles(files.certificate, files.key, None))
    certificate = issue_station_certificate(dev_pki, "CS-1")
    assert peer_common_name(handshake(tls.context, station_tls_context(dev_pki, certificate))) == (False, None)
