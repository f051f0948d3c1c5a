"""The wss:// TLS configuration (docs/adr/0025): server contexts built from the certificate, key and station CA
files, reloaded without a restart, and the client certificate a connection presented.

`server_context` builds an `ssl.SSLContext` with TLS 1.2 as the minimum, the OCPP cipher suites for TLS 1.2
(ECDHE with AES-GCM, for ECDSA and RSA server keys; TLS 1.3 keeps OpenSSL's AES-GCM/ChaCha20 suites) and, when a
station CA is given, a requested (optional) client certificate verified against that CA only.
`ReloadingTls.context` is the context given to the listener: its SNI callback, run at every ClientHello, moves the
connection to the newest valid context, so `reload_if_changed` (polled by the edge node) swaps certificates for
new connections while open ones keep theirs. A file set that fails to load is logged and the previous one kept.
A client certificate OpenSSL refuses (no chain to the station CA) ends the connection with a TLS alert before any
HTTP request; the listener's SSL objects report it (`on_refused(address, reason)`), so it becomes a security
event like every other refusal.
I/O: reads the files (at start and when their modification times change).
"""

from __future__ import annotations

import logging
import os
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from csms_kernel.pki.certificates import load_certificates

log = logging.getLogger(__name__)

OCPP_TLS12_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
    )
)
"""OCPP 2.0.1 Part 2 A00 / 1.6 security whitepaper suites (TLS_ECDHE_{ECDSA,RSA}_WITH_AES_{128,256}_GCM_SHA*)."""


class TlsConfigError(Exception):
    """A certificate, key or CA file is missing or invalid."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    certificate: Path
    key: Path
    station_ca: Path | None

    def mtimes(self) -> tuple[float, ...]:
        """Modification times of the files (-1: missing)."""
        paths = (self.certificate, self.key, *((self.station_ca,) if self.station_ca else ()))
        return tuple(_mtime(path) for path in paths)


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime_ns / 1e9
    except OSError:
        return -1.0


X509_V_FLAG_NO_CHECK_TIME = 0x200000
"""OpenSSL's verification flag (x509_vfy.h) that skips the certificates' validity periods."""


def server_context(files: TlsFiles) -> tuple[ssl.SSLContext, list[x509.Certificate]]:
    """A server context of `files` and the station CA certificates; raises TlsConfigError."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(OCPP_TLS12_CIPHERS)
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE
    try:
        context.load_cert_chain(files.certificate, files.key)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise TlsConfigError(f"server certificate {files.certificate} / key {files.key}: {exc}") from exc
    station_cas: list[x509.Certificate] = []
    if files.station_ca is not None:
        try:
            station_cas = load_certificates(files.station_ca)
            context.load_verify_locations(cafile=files.station_ca)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise TlsConfigError(f"station CA {files.station_ca}: {exc}") from exc
        if not station_cas:
            raise TlsConfigError(f"station CA {files.station_ca}: no certificate in it")
        context.verify_mode = ssl.CERT_OPTIONAL
        # OpenSSL verifies the chain but not its validity periods: an expired station certificate would otherwise
        # end in a TLS alert, with no station id and no security event; the edge checks the periods itself
        # (domain.client_certificates.check_validity) and refuses it with 401 and `client_certificate_rejected`.
        context.verify_flags |= X509_V_FLAG_NO_CHECK_TIME
    return context, station_cas


Refused = Callable[[str, str], None]
"""Told (peer address, OpenSSL's reason) when a client certificate fails verification in the TLS handshake."""


def reporting_ssl_objects(report: Refused) -> type[ssl.SSLObject]:
    """The SSL object class of a listener context that reports client certificates refused during the handshake
    (the error still ends the connection)."""

    class ReportingSSLObject(ssl.SSLObject):
        def do_handshake(self) -> None:
            try:
                super().do_handshake()
            except ssl.SSLCertVerificationError as exc:
                try:
                    report(_handshaking_peer(), exc.verify_message or exc.reason or str(exc))
                except Exception:
                    log.exception("reporting a refused client certificate failed")
                raise

    return ReportingSSLObject


def _handshaking_peer() -> str:
    """The address of the connection whose handshake is running. The SSL object works on memory buffers and does
    not know its socket; asyncio's SSLProtocol, whose `_do_handshake` calls it, holds the socket transport."""
    protocol = sys._getframe(2).f_locals.get("self")
    transport = getattr(protocol, "_transport", None)
    peer = transport.get_extra_info("peername") if transport is not None else None
    return str(peer[0]) if peer else ""


class ReloadingTls:
    def __init__(self, files: TlsFiles) -> None:
        """Loads the files (raises TlsConfigError: the node does not start with a broken TLS configuration)."""
        self._files = files
        self._mtimes = files.mtimes()
        self._current, self.station_cas = server_context(files)
        self.context, _ = server_context(files)
        self.context.sni_callback = self._select
        self.context.sslobject_class = reporting_ssl_objects(self._refused)
        self.on_refused: Refused = lambda address, reason: None
        self.reloads = 0

    def _refused(self, address: str, reason: str) -> None:
        self.on_refused(address, reason)

    @property
    def requests_client_certificates(self) -> bool:
        return self._files.station_ca is not None

    def _select(self, ssl_object: ssl.SSLObject, _server_name: str | None, _context: ssl.SSLContext) -> None:
        if ssl_object.context is not self._current:
            ssl_object.context = self._current

    def reload_if_changed(self) -> bool:
        """Loads the files again if one changed; returns whether new connections now use them."""
        mtimes = self._files.mtimes()
        if mtimes == self._mtimes:
            return False
        self._mtimes = mtimes
        try:
            self._current, self.station_cas = server_context(self._files)
        except TlsConfigError as exc:
            log.error("TLS files changed but do not load; keeping the previous ones: %s", exc)
            return False
        self.reloads += 1
        log.info("TLS server certificate and station CA reloaded from %s", self._files.certificate)
        return True


def peer_certificate(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> x509.Certificate | None:
    """The client certificate of a TLS connection (OpenSSL verified its chain to the station CA, not its validity
    periods), or None."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return x509.load_der_x509_certificate(der) if der else None
