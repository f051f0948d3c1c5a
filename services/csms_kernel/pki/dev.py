"""The development PKI (ADR 0024), created on first use by `make run` and the tests, never in the repository.

Layout of `directory` (default `.infra/pki`; keys owner-only):
- `root-ca.pem|key`: the CSMS root. Signs the edge's server certificate; stations trust it to verify wss://
  (the OCPP "CSMSRootCertificate").
- `server.pem|key`: the edge's TLS server certificate, for `localhost` and `127.0.0.1`; `server-chain.pem` is
  the certificate followed by the root.
- `station-ca.pem|key`: the station CA. Signs station certificates (SignCertificate, `csms certificates issue`);
  the edge trusts exactly it for security profile 3 client certificates.
- `internal-ca.pem|key` and `internal/<identity>.pem|key`: mutual TLS between the CSMS's own processes and
  from the CLI, one certificate per identity (CN = identity), for both client and server use.
Every certificate here has the organization `DEVELOPMENT_ORGANIZATION`, which production mode refuses.
Side effects: creates the missing files; existing files are kept, so the CAs survive restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from csms_kernel.pki import certificates as x

INTERNAL_IDENTITIES: tuple[str, ...] = (
    "edge",
    "device-model",
    "authorization",
    "transactions",
    "security",
    "firmware",
    "smart-charging",
    "api",
    "cli",
)
"""The identities of the CSMS's processes (and the CLI) on the internal gRPC surface."""

LOCAL_NAMES = ("localhost",)
LOCAL_ADDRESSES = ("127.0.0.1", "::1")
CA_DAYS = 3650
LEAF_DAYS = 825


@dataclass(frozen=True)
class Pair:
    certificate: Path
    key: Path


@dataclass(frozen=True)
class DevPki:
    directory: Path

    @property
    def root_ca(self) -> Pair:
        return self._pair("root-ca")

    @property
    def server(self) -> Pair:
        return self._pair("server")

    @property
    def server_chain(self) -> Path:
        return self.directory / "server-chain.pem"

    @property
    def station_ca(self) -> Pair:
        return self._pair("station-ca")

    @property
    def internal_ca(self) -> Pair:
        return self._pair("internal-ca")

    def internal(self, identity: str) -> Pair:
        if identity not in INTERNAL_IDENTITIES:
            raise ValueError(f"unknown internal identity {identity!r} (known: {', '.join(INTERNAL_IDENTITIES)})")
        return self._pair(f"internal/{identity}")

    def _pair(self, stem: str) -> Pair:
        return Pair(self.directory / f"{stem}.pem", self.directory / f"{stem}.key")


def ensure_dev_pki(directory: Path) -> DevPki:
    """Creates whatever is missing of the development PKI in `directory` and returns its layout."""
    pki = DevPki(directory)
    root, root_key = _ensure_ca(pki.root_ca, "CSMS Development Root CA")
    if not (pki.server.certificate.exists() and pki.server.key.exists() and pki.server_chain.exists()):
        key = x.new_key()
        server = x.issue(
            root,
            root_key,
            x.name("localhost", x.DEVELOPMENT_ORGANIZATION),
            key.public_key(),
            days=LEAF_DAYS,
            client=False,
            server=True,
            dns_names=LOCAL_NAMES,
            ip_addresses=LOCAL_ADDRESSES,
        )
        x.write_key(pki.server.key, key)
        x.write_certificate(pki.server.certificate, server)
        x.write_certificate(pki.server_chain, server, root)
    _ensure_ca(pki.station_ca, "CSMS Development Station CA")
    internal, internal_key = _ensure_ca(pki.internal_ca, "CSMS Development Internal CA")
    for identity in INTERNAL_IDENTITIES:
        pair = pki.internal(identity)
        if pair.certificate.exists() and pair.key.exists():
            continue
        key = x.new_key()
        certificate = x.issue(
            internal,
            internal_key,
            x.name(identity, x.DEVELOPMENT_ORGANIZATION),
            key.public_key(),
            days=LEAF_DAYS,
            client=True,
            server=True,
            dns_names=LOCAL_NAMES,
            ip_addresses=LOCAL_ADDRESSES,
        )
        x.write_key(pair.key, key)
        x.write_certificate(pair.certificate, certificate)
    return pki


def _ensure_ca(pair: Pair, common_name: str) -> tuple[x509.Certificate, x.PrivateKey]:
    if pair.certificate.exists() and pair.key.exists():
        return x.load_certificates(pair.certificate)[0], x.load_key(pair.key)
    key = x.new_key()
    certificate = x.self_signed_ca(x.name(common_name, x.DEVELOPMENT_ORGANIZATION), key, days=CA_DAYS)
    x.write_key(pair.key, key)
    x.write_certificate(pair.certificate, certificate)
    return certificate, key
