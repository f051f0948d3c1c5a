"""The station directory: a station as the operator sees it is its registration (authorization) joined with
its projection (device-model), and listings page over the registrations, joining each page's projections.

How the filters combine (docs/adr/0019-operator-api.md): `group` is applied by the authorization service's
listing (and checked again here); `connected`, `status`, `ocpp_version`, `vendor` and `model` live in
device-model and are applied to the joined rows, reading on through the registrations until the page is full or
`scan_budget` registrations were looked at in this request. So a page may hold fewer than `limit` stations and
still have a next position. A position is the registrations' page token and how many of that page's stations
were already passed (authorization pages by key, so the same token gives the same stations in the same order).
I/O only through the peer ports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from csms.authorization.v1 import authorization_pb2 as authz
from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_api.ports import AuthorizationPeer, DeviceModelPeer, unless_not_found

SCAN_BUDGET = 1000
"""Registrations one listing request looks at, at most (with device-model filters)."""
SCAN_CHUNK = 100
"""Registrations read (and projections joined) at once while filtering on device-model fields."""
MAX_PEER_PAGE = 1000
PROJECTION_CONCURRENCY = 32
"""GetStation calls in flight at once for one page."""

OCPP_VERSIONS = {
    "1.6": envelope_pb2.OCPP_VERSION_16,
    "2.0.1": envelope_pb2.OCPP_VERSION_201,
    "2.1": envelope_pb2.OCPP_VERSION_21,
}

Position = tuple[str, int]
"""(the registrations' page token, how many stations of that page were already passed)."""


@dataclass(frozen=True)
class StationFilters:
    connected: bool | None = None
    # A connector (or EVSE) status the station has on at least one connector, e.g. Available, Charging.
    status: str | None = None
    group: str | None = None
    ocpp_version: str | None = None
    vendor: str | None = None
    model: str | None = None

    @property
    def on_projection(self) -> bool:
        """Whether a filter needs the device-model projection."""
        return any(v is not None for v in (self.connected, self.status, self.ocpp_version, self.vendor, self.model))

    def matches(self, registration: authz.RegisteredStation, projection: dm.Station | None) -> bool:
        if self.group is not None and registration.group != self.group:
            return False
        if not self.on_projection:
            return True
        seen = projection or dm.Station()
        return (
            (self.connected is None or seen.connected == self.connected)
            and (self.status is None or any(c.status.lower() == self.status.lower() for c in seen.connectors))
            and (self.ocpp_version is None or seen.ocpp_version == OCPP_VERSIONS[self.ocpp_version])
            and (self.vendor is None or seen.vendor.lower() == self.vendor.lower())
            and (self.model is None or seen.model.lower() == self.model.lower())
        )


@dataclass(frozen=True)
class StationView:
    station_id: str
    # None: not registered (a station let in by CSMS_EDGE_ACCEPT_UNKNOWN_STATIONS).
    registration: authz.RegisteredStation | None
    # None: device-model has never seen it connect.
    projection: dm.Station | None


class StationDirectory:
    def __init__(
        self,
        authorization: AuthorizationPeer,
        device_model: DeviceModelPeer,
        *,
        scan_budget: int = SCAN_BUDGET,
        concurrency: int = PROJECTION_CONCURRENCY,
    ) -> None:
        self._authorization = authorization
        self._device_model = device_model
        self._scan_budget = scan_budget
        self._concurrency = asyncio.Semaphore(concurrency)

    async def get(self, station_id: str) -> StationView | None:
        """The station; None when neither service knows it."""
        registration, projection = await asyncio.gather(
            unless_not_found(self._authorization.get_registered_station(station_id)),
            unless_not_found(self._device_model.get_station(station_id)),
        )
        if registration is None and projection is None:
            return None
        return StationView(station_id, registration, projection)

    async def projection(self, station_id: str) -> dm.Station | None:
        return await unless_not_found(self._device_model.get_station(station_id))

    async def page(
        self, filters: StationFilters, limit: int, position: Position | None
    ) -> tuple[list[StationView], Position | None]:
        """Up to `limit` stations matching `filters` from `position` on, and where the next page starts (None
        after the last station)."""
        token, passed = position or ("", 0)
        found: list[StationView] = []
        scanned = 0
        while True:
            wanted = SCAN_CHUNK if filters.on_projection else limit - len(found)
            request = authz.ListRegisteredStationsRequest(
                page_size=min(passed + wanted, MAX_PEER_PAGE), page_token=token, group=filters.group or ""
            )
            page = await self._authorization.list_registered_stations(request)
            rows = list(page.stations)
            pending = rows[passed:]
            projections = await self._projections([r.station_id for r in pending])
            for index, (registration, projection) in enumerate(zip(pending, projections, strict=True), start=passed):
                scanned += 1
                if not filters.matches(registration, projection):
                    continue
                found.append(StationView(registration.station_id, registration, projection))
                if len(found) == limit:
                    if index + 1 < len(rows):
                        return found, (token, index + 1)
                    return found, (page.next_page_token, 0) if page.next_page_token else None
            if not page.next_page_token:
                return found, None
            token, passed = page.next_page_token, 0
            if scanned >= self._scan_budget:
                return found, (token, 0)

    async def _projections(self, station_ids: Sequence[str]) -> list[dm.Station | None]:
        async def one(station_id: str) -> dm.Station | None:
            async with self._concurrency:
                return await self.projection(station_id)

        return list(await asyncio.gather(*(one(station_id) for station_id in station_ids)))
