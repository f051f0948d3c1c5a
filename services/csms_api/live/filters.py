"""Which events a client asked for: `?station_id=`, `?group=`, `?type=` (each repeatable; any value of one
parameter matches, every given parameter must match), and the cache of station groups the group filter needs.

A type value is a prefix of the known types (`transaction.` matches transaction.started/updated/ended); one
that matches none is refused. A station's group is its current group in the station registry (looked up
through `group_of`, e.g. `registry_group_of`), not its group when the event happened. Side effects:
`GroupCache` calls `group_of` (the registry, over the network) for stations it does not hold.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import grpc

from csms_api.live.errors import BadEventsRequest
from csms_api.live.events import KNOWN_TYPES, LiveEvent
from csms_api.ports import AuthorizationPeer, PeerError

GroupOf = Callable[[str], Awaitable[str | None]]
"""A station's group in the registry; None when it has none (or is unknown)."""


def registry_group_of(authorization: AuthorizationPeer) -> GroupOf:
    """`GroupOf` backed by the station registry (AuthorizationService.GetRegisteredStation); a station the
    registry does not know has no group, any other failure raises."""

    async def group_of(station_id: str) -> str | None:
        try:
            station = await authorization.get_registered_station(station_id)
        except PeerError as exc:
            if exc.code == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return station.group or None

    return group_of


_MAX_VALUES = 100


@dataclass(frozen=True)
class EventFilter:
    station_ids: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    types: tuple[str, ...] = ()

    @classmethod
    def of(cls, station_ids: Iterable[str], groups: Iterable[str], types: Iterable[str]) -> EventFilter:
        """The filter of a request's query parameters; `BadEventsRequest` for an unknown type or too many
        values."""
        values = {"station_id": list(station_ids), "group": list(groups), "type": list(types)}
        for parameter, given in values.items():
            if len(given) > _MAX_VALUES:
                raise BadEventsRequest(parameter, f"at most {_MAX_VALUES} values")
            if any(not value for value in given):
                raise BadEventsRequest(parameter, "empty value")
        for prefix in values["type"]:
            if not any(known.startswith(prefix) for known in KNOWN_TYPES):
                raise BadEventsRequest(
                    "type", f"{prefix!r} is no event type nor a prefix of one; types: {', '.join(sorted(KNOWN_TYPES))}"
                )
        return cls(frozenset(values["station_id"]), frozenset(values["group"]), tuple(values["type"]))

    def admits(self, event: LiveEvent) -> bool:
        """Whether the event passes the station and type conditions (the group is checked apart)."""
        if self.station_ids and event.station_id not in self.station_ids:
            return False
        return not self.types or event.type.startswith(self.types)


class GroupCache:
    """Stations' groups, each kept for `ttl_s`, at most `size` stations (least recently used out first);
    concurrent lookups of one station share one call."""

    def __init__(
        self, group_of: GroupOf, *, ttl_s: float, size: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._group_of = group_of
        self._ttl_s = ttl_s
        self._size = size
        self._clock = clock
        self._known: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._pending: dict[str, asyncio.Future[str | None]] = {}

    async def group(self, station_id: str) -> str | None:
        """The station's group; a failing lookup raises (the stream ends, and its client resumes)."""
        known = self._known.get(station_id)
        if known is not None and self._clock() < known[0]:
            self._known.move_to_end(station_id)
            return known[1]
        pending = self._pending.get(station_id)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if not pending.cancelled() or (current is not None and current.cancelling()):
                    raise
                return await self.group(station_id)  # the caller that was looking it up was cancelled
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._pending[station_id] = future
        try:
            group = await self._group_of(station_id)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: there may be nobody else waiting
            raise
        finally:
            del self._pending[station_id]
        future.set_result(group)
        self._known[station_id] = (self._clock() + self._ttl_s, group)
        self._known.move_to_end(station_id)
        while len(self._known) > self._size:
            self._known.popitem(last=False)
        return group


async def admitted(event: LiveEvent, event_filter: EventFilter, groups: GroupCache) -> bool:
    """The whole filter: station, type, then the station's group when groups are asked for."""
    if not event_filter.admits(event):
        return False
    return not event_filter.groups or await groups.group(event.station_id) in event_filter.groups
