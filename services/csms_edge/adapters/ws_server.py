"""The websockets adapter: the opening handshake (via `edge.handshake` and the station registry) and one
`Session` per accepted connection. Binds the station WebSocket port (see `edge.bootstrap`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from csms_edge.app.connections import Connection
from csms_edge.app.session import Session, SessionContext
from csms_edge.domain import handshake
from csms_edge.ports import RegistryUnavailable, StationRegistry
from csms_kernel.ocpp.versions import OcppVersion

log = logging.getLogger(__name__)


def new_connection_id() -> str:
    return uuid.uuid4().hex


class StationEndpoint:
    """`process_request`, `select_subprotocol` and the connection handler given to `websockets.serve`."""

    def __init__(
        self,
        context: SessionContext,
        registry: StationRegistry,
        *,
        accept_unknown_stations: bool,
        connection_ids: Callable[[], str] = new_connection_id,
    ) -> None:
        self._context = context
        self._registry = registry
        self._accept_unknown_stations = accept_unknown_stations
        self._connection_ids = connection_ids

    async def process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        authorization = request.headers.get_all("Authorization")
        checked = handshake.check_request(
            request.path,
            request.headers.get_all("Sec-WebSocket-Protocol"),
            authorization[0] if len(authorization) == 1 else None,
        )
        if isinstance(checked, handshake.Refuse):
            return self._refuse(ws, request, checked)
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
            log.info("station %s refused: %s", checked.station_id, verdict.value)
            return self._refuse(ws, request, decision)
        ws.username = decision.station_id
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
        await Session(connection, self._context).run()

    @staticmethod
    def _refuse(ws: ServerConnection, request: Request, refusal: handshake.Refuse) -> Response:
        log.debug("handshake for %s refused: %d %s", request.path, refusal.status, refusal.body.strip())
        response = ws.respond(refusal.status, refusal.body)
        for name, value in refusal.headers:
            response.headers[name] = value
        return response
