"""Test data for security unit tests: a fixed clock, a station CA, CSRs, and calls through the router of the
wired service (over in-memory fakes)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from csms_kernel.handling.router import Answer, CallInfo, Router
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.pki import certificates as pki
from csms_security.bootstrap import build
from csms_security.domain.authority import Authorities, Authority, Issued
from csms_security.domain.csr import CHARGING_STATION
from csms_security.settings import SecuritySettings
from kit.fakes.security import InMemoryCertificateStore, ListedEvents, RecordingCommands

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
STATION = "CS-1"
SETTINGS = SecuritySettings()


@functools.cache
def station_ca() -> Authority:
    key = pki.new_key()
    return Authority(pki.self_signed_ca(pki.name("Test Station CA"), key, days=3650, now=NOW), key)


def authorities() -> Authorities:
    return {CHARGING_STATION: station_ca()}


def csr_pem(common_name: str = STATION, key: Any = None, *, extra_names: tuple[x509.NameAttribute, ...] = ()) -> str:
    key = key or pki.new_key()
    subject = x509.Name([*pki.name(common_name, "Test CPO"), *extra_names])
    request = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return request.public_bytes(serialization.Encoding.PEM).decode()


@functools.cache
def rsa_1024() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def with_bad_signature(pem: str) -> str:
    """The CSR with one byte of its signature changed (it still parses)."""
    der = bytearray(x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0x01
    return x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class Csms:
    """The security handlers behind the real router, over in-memory ports."""

    version: OcppVersion
    store: InMemoryCertificateStore = field(default_factory=InMemoryCertificateStore)
    authorities: Authorities = field(default_factory=authorities)

    async def send(
        self,
        action: str,
        payload: dict[str, Any],
        message_id: str = "msg-1",
        station_id: str = STATION,
        connection_id: str = "conn-1",
    ) -> Answer:
        call = CallInfo(station_id, "default", self.version, message_id, action, NOW, "edge-1", connection_id)
        return await self.router().dispatch(call, Frame(MessageType.CALL, message_id, action, payload))

    def router(self) -> Router[Any]:
        router = build(
            SETTINGS,
            store=self.store,
            events=ListedEvents(),
            commands=RecordingCommands(),
            authorities=self.authorities,
        ).router
        assert router is not None
        return router

    async def result(self, action: str, payload: dict[str, Any], message_id: str = "msg-1", **kw: Any) -> Any:
        """The CALLRESULT payload (fails on a CALLERROR)."""
        answer = await self.send(action, payload, message_id, **kw)
        assert not answer.is_error, answer.frame
        return json.loads(answer.frame)[2]


def issued_certificate(
    station: str, serial: str, not_after: datetime, issued_at: datetime, kind: str = CHARGING_STATION
) -> Issued:
    """An issued certificate as the store keeps it (no real chain)."""
    return Issued(f"req-{serial}", station, kind, serial, issued_at, not_after, "f" * 64, "PEM", issued_at)
