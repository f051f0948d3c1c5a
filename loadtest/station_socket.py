"""A station's side of the OCPP-J WebSocket handshake, shared by the load tools and the tests: HTTP Basic
credentials (security profile 1) and the socket of a raw station (one subprotocol, no compression, no pings).
Network I/O only."""

from __future__ import annotations

import base64
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from csms_kernel.ocpp.versions import OcppVersion


def basic_auth(user: str, password: str) -> str:
    """The `Authorization` header value carrying HTTP Basic credentials."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def open_station_socket(
    url: str, station_id: str, password: str, version: OcppVersion, *, open_timeout_s: float, **options: Any
) -> ClientConnection:
    """Connects to `url`/`station_id` offering `version`'s subprotocol; `options` go to `websockets.connect`."""
    return await connect(
        f"{url}/{station_id}",
        subprotocols=[Subprotocol(version.subprotocol)],
        additional_headers={"Authorization": basic_auth(station_id, password)},
        compression=None,
        open_timeout=open_timeout_s,
        ping_interval=None,
        **options,
    )
