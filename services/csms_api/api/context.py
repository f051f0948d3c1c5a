"""What the routes need, wired once by `bootstrap.build` and kept on the app (`app.state.context`); routers,
including those other parts of the API add, reach it through the `context` dependency. No I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from csms_api.app.keys import ApiKeys
from csms_api.app.readiness import Readiness
from csms_api.app.stations import StationDirectory
from csms_api.domain.cursors import Cursors
from csms_api.ports import (
    AuthorizationPeer,
    DeviceModelPeer,
    FirmwarePeer,
    SecurityPeer,
    SmartChargingPeer,
    TransactionsPeer,
)


@dataclass(frozen=True)
class ApiContext:
    keys: ApiKeys
    cursors: Cursors
    authorization: AuthorizationPeer
    device_model: DeviceModelPeer
    transactions: TransactionsPeer
    security: SecurityPeer
    firmware: FirmwarePeer
    smart_charging: SmartChargingPeer
    stations: StationDirectory
    readiness: Readiness
    clock: Callable[[], datetime]


async def context(request: Request) -> ApiContext:
    found: ApiContext = request.app.state.context
    return found
