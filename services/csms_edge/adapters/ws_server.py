"""The websockets adapter: the opening handshake (via `edge.handshake` and the station registry) and one
`Session` per accepted connection. Binds the station WebSocket port (see `edge.bootstrap`). Refusals for
credentials (401, 403) and connections revoked during their handshake are logged as security events.
"""

from __future__ import annotations

import http
import logging
import uuid
import weakref
from collections.abc import Callable, Sequence

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from csms_edge.app.connections import Connection
from csms_edge.app.credential_changes import CredentialChanges
from csms_edge.app.session import Session, SessionContext
from csms_edge.domain import handshake
from csms_edge.domain.credential_changes import REVOKED_CODE
from csms_edge.ports import RegistryUnavailable, StationRegistry
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.telemetry.security_log import security_event

log = logging.getLogger(__name__)


def new_connection_id() -> str:
    return uuid.uuid4().hex


class StationEndpoint:
    """`process_request`, `select_subprotocol` and the connection handler given to `websockets.serve`."""

    def __init__(
        self,
        context: SessionContext,
        registry: StationRegistry,
        changes: CredentialChanges,
        *,
        accept_unknown_stations: bool,
        connection_ids: Callable[[], str] = new_connection_id,
    ) -> None:
        self._context = context
        self._registry = registry
        self._changes = changes
        self._accept_unknown_stations = accept_unknown_stations
        self._connection_ids = connection_ids
        # the credential changes mark taken before each accepted handshake's verification
        self._marks: weakref.WeakKeyDictionary[ServerConnection, int] = weakref.WeakKeyDictionary()

    async def process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        authorization = request.headers.get_all("Authorization")
        checked = handshake.check_request(
            request.path,
            request.headers.get_all("Sec-WebSocket-Protocol"),
            authorization[0] if len(authorization) == 1 else None,
        )
        if isinstance(checked, handshake.Refuse):
            return self._refuse(ws, request, checked)
        mark = self._changes.mark()
        try:
            verdict = await self._registry.verify(checked.station_id, checked.password)
        except RegistryUnavailable as exc:
            log.warning("station %s refused: station registry unavailable (%s)", checked.station_id, exc)
            return self._refuse(ws, request, handshake.REGISTRY_UNAVAILABLE)
        except Exception:
            log.exception("station %s refused: station registry failed", checked.station_id)
            return self._refuse(ws, request, handshake.REGISTRY_UNAVAILABLE)
        decision = handshake.decide(checked, verdict, accept_unknown_stations=self._accept_unknown_stations)
        if isinstance(decision, handshake.Refuse):
            return self._refuse(ws, request, decision, checked.station_id, verdict.value)
        ws.username = decision.station_id
        self._marks[ws] = mark
        return None

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

    @staticmethod
    def _refuse(
        ws: ServerConnection,
        request: Request,
        refusal: handshake.Refuse,
        station_id: str | None = None,
        verdict: str | None = None,
    ) -> Response:
        log.debug("handshake for %s refused: %d %s", request.path, refusal.status, refusal.body.strip())
        if refusal.status in (http.HTTPStatus.UNAUTHORIZED, http.HTTPStatus.FORBIDDEN):
            security_event(
                "handshake_refused",
                logging.WARNING,
                station_id=station_id,
                path=None if station_id else request.path.partition("?")[0],
                status=int(refusal.status),
                verdict=verdict,
                reason=refusal.body.strip(),
                remote=_remote(ws),
            )
        response = ws.respond(refusal.status, refusal.body)
        for name, value in refusal.headers:
            response.headers[name] = value
        return response


def _remote(ws: ServerConnection) -> str | None:
    address = ws.remote_address
    return f"{address[0]}:{address[1]}" if address else None
