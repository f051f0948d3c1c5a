"""The websockets adapter: the opening handshake (via `edge.handshake` and the station registry) and one
`Session` per accepted connection, on the ws:// and wss:// listeners (see `edge.bootstrap`).

Each handshake (docs/adr/0025): the connection limits (`domain.limits`, 503), what the transport proves
(`domain.profiles`: TLS, the client certificate, the client address, believed from a trusted proxy's headers
only), the lockout of failed handshakes (`domain.lockout`, 429), then the credentials with the presented
security profile (registry; 401 for unknown station, wrong password and too low a profile alike, 403 disabled).
Every refusal for security reasons (401, 403, 429 lockout start, 503 limit) is a CSMS security event published
to `csms.security.events.v1` (`SecurityEvents`, never waited for); connections revoked during their handshake
are logged as security events.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from csms_edge.adapters.tls import peer_certificate
from csms_edge.app.connections import Connection
from csms_edge.app.credential_changes import CredentialChanges
from csms_edge.app.session import Session, SessionContext
from csms_edge.domain import handshake
from csms_edge.domain.client_certificates import check_validity, verify_chain
from csms_edge.domain.credential_changes import REVOKED_CODE
from csms_edge.domain.limits import ConnectionLimits
from csms_edge.domain.lockout import Lockouts
from csms_edge.domain.profiles import CertificateRejected, ClientCertificate, Transport, presented_profile
from csms_edge.domain.proxy import FORWARDED_FOR, FORWARDED_PROTO, TrustedProxies, forwarded
from csms_edge.ports import RegistryUnavailable, SecurityEvents, StationRegistry, Verdict
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.security.events import csms_event
from csms_kernel.telemetry import metrics
from csms_kernel.telemetry.security_log import security_event

log = logging.getLogger(__name__)

_SECURITY_STATUSES = (http.HTTPStatus.UNAUTHORIZED, http.HTTPStatus.FORBIDDEN)
_METRIC_REASONS = {"connection_limit_reached": "connection_limit", "client_certificate_rejected": "client_certificate"}


def new_connection_id() -> str:
    return uuid.uuid4().hex


@dataclass
class HandshakeGuard:
    """What protects the handshake on one node: limits, lockouts, proxy trust, the station CAs a forwarded
    certificate must chain to, and where security events go."""

    node_id: str
    events: SecurityEvents
    lockouts: Lockouts
    limits: ConnectionLimits
    proxies: TrustedProxies = field(default_factory=lambda: TrustedProxies(()))
    proxy_certificate_header: str = "X-Forwarded-Client-Cert"
    station_cas: Callable[[], Sequence[x509.Certificate]] = lambda: ()
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


def counted_connection(limits: ConnectionLimits, proxies: TrustedProxies) -> type[ServerConnection]:
    """The websockets connection class of a listener: counts each connection against `limits` from its start
    (after TLS) to its end; one over a limit is marked and refused by `process_request` with 503."""

    class CountedConnection(ServerConnection):
        admitted = False
        peer_address = ""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            peer = transport.get_extra_info("peername")
            self.peer_address = str(peer[0]) if peer else ""
            self.admitted = limits.admit(self.peer_address, per_address=not proxies.trusts(self.peer_address))
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if self.admitted:
                self.admitted = False
                limits.release(self.peer_address)
            super().connection_lost(exc)

    return CountedConnection


class StationEndpoint:
    """`process_request`, `select_subprotocol` and the connection handler given to `websockets.serve`."""

    def __init__(
        self,
        context: SessionContext,
        registry: StationRegistry,
        changes: CredentialChanges,
        guard: HandshakeGuard,
        *,
        accept_unknown_stations: bool,
        connection_ids: Callable[[], str] = new_connection_id,
    ) -> None:
        self._context = context
        self._registry = registry
        self._changes = changes
        self._guard = guard
        self._accept_unknown_stations = accept_unknown_stations
        self._connection_ids = connection_ids
        # the credential changes mark taken before each accepted handshake's verification
        self._marks: weakref.WeakKeyDictionary[ServerConnection, int] = weakref.WeakKeyDictionary()

    async def process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        guard = self._guard
        station_id = handshake.parse_station_id(request.path)
        if isinstance(station_id, handshake.Refuse):
            log.debug("handshake for %r refused: %d %s", request.path, station_id.status, station_id.body.strip())
            return self._respond(ws, station_id)
        transport = self.transport(ws, request)
        if not getattr(ws, "admitted", True):
            return self._refuse(
                ws, transport, handshake.TOO_MANY_CONNECTIONS, station_id, event="connection_limit_reached"
            )
        address = transport.remote_address
        wait_s = guard.lockouts.locked_for(station_id, address, guard.clock())
        if wait_s > 0:
            log.debug("handshake of %s from %s refused: locked out for %.1f s", station_id, address, wait_s)
            metrics.count_handshake_refusal("locked_out")
            return self._respond(ws, handshake.too_many_failures(wait_s))
        profile = presented_profile(transport, station_id)
        if isinstance(profile, CertificateRejected):
            return self._refuse(
                ws,
                transport,
                handshake.INVALID_CREDENTIALS,
                station_id,
                event="client_certificate_rejected",
                reason=profile.reason,
            )
        authorization = request.headers.get_all("Authorization")
        checked = handshake.check_request(
            request.path,
            request.headers.get_all("Sec-WebSocket-Protocol"),
            authorization[0] if len(authorization) == 1 else ("" if authorization else None),
            profile,
        )
        if isinstance(checked, handshake.Refuse):
            return self._refuse(ws, transport, checked, station_id, profile=profile)
        mark = self._changes.mark()
        try:
            verdict = await self._registry.verify(checked.station_id, checked.password, profile)
        except RegistryUnavailable as exc:
            log.warning("station %s refused: station registry unavailable (%s)", checked.station_id, exc)
            metrics.count_handshake_refusal("registry_unavailable")
            return self._respond(ws, handshake.REGISTRY_UNAVAILABLE)
        except Exception:
            log.exception("station %s refused: station registry failed", checked.station_id)
            metrics.count_handshake_refusal("registry_unavailable")
            return self._respond(ws, handshake.REGISTRY_UNAVAILABLE)
        decision = handshake.decide(checked, verdict, accept_unknown_stations=self._accept_unknown_stations)
        if isinstance(decision, handshake.Refuse):
            return self._refuse(ws, transport, decision, station_id, verdict=verdict, profile=profile)
        guard.lockouts.succeeded(station_id, address, guard.clock())
        ws.username = decision.station_id
        self._marks[ws] = mark
        return None

    def transport(self, ws: ServerConnection, request: Request) -> Transport:
        """What the connection proves: from the socket, or from a trusted proxy's headers (re-verifying the
        certificate it forwards); from any other peer those headers are ignored and logged."""
        guard = self._guard
        peer = ws.remote_address
        peer_address = str(peer[0]) if peer else ""
        headers = request.headers
        proxy_headers = (FORWARDED_FOR, FORWARDED_PROTO, guard.proxy_certificate_header)
        if guard.proxies.trusts(peer_address):
            said = forwarded(
                guard.proxies,
                headers.get_all(FORWARDED_FOR),
                headers.get_all(FORWARDED_PROTO),
                headers.get_all(guard.proxy_certificate_header),
            )
            certificate: ClientCertificate | None = None
            if said.certificate_pem == b"":
                certificate = ClientCertificate(None, "the proxy's client certificate header holds no certificate")
            elif said.certificate_pem is not None:
                certificate = verify_chain(said.certificate_pem, guard.station_cas(), guard.wall_clock())
            return Transport(
                tls=said.tls,
                remote_address=said.client_address or peer_address,
                client_certificate=certificate,
                via_proxy=True,
            )
        ignored = tuple(name for name in proxy_headers if name in headers)
        if ignored:
            log.warning("proxy headers %s from %s ignored: not a trusted proxy", ", ".join(ignored), peer_address)
        presented = peer_certificate(ws.transport.get_extra_info("ssl_object"))
        return Transport(
            tls=ws.transport.get_extra_info("sslcontext") is not None,
            remote_address=peer_address,
            client_certificate=(
                check_validity(presented, guard.station_cas(), guard.wall_clock()) if presented is not None else None
            ),
            ignored_proxy_headers=ignored,
        )

    def select_subprotocol(self, ws: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
        version = handshake.select_subprotocol(offered)
        return Subprotocol(version.subprotocol) if version is not None else None

    async def handler(self, ws: ServerConnection) -> None:
        if ws.subprotocol is None:  # process_request refuses these; never serve without a version
            await ws.close(1002, "no OCPP subprotocol")
            return
        connection = Connection(
            station_id=ws.username,
            connection_id=self._connection_ids(),
            version=OcppVersion.from_subprotocol(ws.subprotocol),
            socket=ws,
        )
        mark = self._marks.pop(ws, 0)
        if self._changes.revoked_since(connection.station_id, mark):
            # Its credentials changed while they were verified: the verdict may predate the change.
            reason = "credentials changed during the handshake"
            security_event("connection_revoked", logging.WARNING, station_id=connection.station_id, reason=reason)
            await ws.close(REVOKED_CODE, reason)
            return
        # Registered as the station's connection before Session.run first yields: a change applied from now on
        # finds it in the table.
        await Session(connection, self._context).run()

    def _refuse(
        self,
        ws: ServerConnection,
        transport: Transport,
        refusal: handshake.Refuse,
        station_id: str = "",
        *,
        event: str = "handshake_refused",
        reason: str = "",
        verdict: Verdict | None = None,
        profile: int | None = None,
    ) -> Response:
        """Answers `refusal`; a security refusal is published as a security event, and a 401 counts as a failed
        handshake (perhaps starting a lockout)."""
        guard = self._guard
        metrics.count_handshake_refusal(
            verdict.value
            if verdict is not None
            else {
                "connection_limit_reached": "connection_limit",
                "client_certificate_rejected": "client_certificate",
            }.get(event, "bad_credentials")
        )
        if event == "connection_limit_reached" or refusal.status in _SECURITY_STATUSES:
            details = {
                "status": str(int(refusal.status)),
                "reason": (verdict.value if verdict is not None else reason or refusal.body.strip()),
            }
            if profile is not None:
                details["presented_profile"] = str(profile)
            if transport.via_proxy:
                details["via_proxy"] = "true"
            if transport.ignored_proxy_headers:
                details["ignored_proxy_headers"] = ",".join(transport.ignored_proxy_headers)
            self._publish(event, station_id, reason or refusal.body.strip(), transport, details)
        # Only 401 counts: a 403 (disabled) means the password was right, so it is no guess.
        if refusal.status == http.HTTPStatus.UNAUTHORIZED and station_id:
            lockout_s = guard.lockouts.failed(station_id, transport.remote_address, guard.clock())
            if lockout_s > 0:
                self._publish(
                    "handshake_locked_out",
                    station_id,
                    f"failed handshakes: further attempts refused with 429 for {lockout_s:g} s",
                    transport,
                    {"lockout_s": f"{lockout_s:g}"},
                )
        return self._respond(ws, refusal)

    def certificate_refused_by_tls(self, address: str, reason: str) -> None:
        """A client certificate OpenSSL refused in the TLS handshake (no chain to the station CA): the connection
        ends with a TLS alert before the station names itself, so the event has its address but no station id."""
        metrics.count_handshake_refusal("client_certificate")
        event = csms_event(
            "client_certificate_rejected",
            "",
            f"TLS handshake refused: client certificate not trusted ({reason})",
            critical=True,
            edge_node_id=self._guard.node_id,
            remote_address=address,
            details={"reason": "untrusted_certificate", "stage": "tls", "verify_message": reason},
        )
        self._guard.events.publish(event)

    def _publish(
        self, type_: str, station_id: str, tech_info: str, transport: Transport, details: Mapping[str, str]
    ) -> None:
        event = csms_event(
            type_,
            station_id,
            tech_info,
            critical=type_ in ("client_certificate_rejected", "handshake_locked_out"),
            edge_node_id=self._guard.node_id,
            remote_address=transport.remote_address,
            details=details,
        )
        self._guard.events.publish(event)

    @staticmethod
    def _respond(ws: ServerConnection, refusal: handshake.Refuse) -> Response:
        response = ws.respond(refusal.status, refusal.body)
        for name, value in refusal.headers:
            response.headers[name] = value
        return response
