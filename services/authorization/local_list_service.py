"""Local authorization lists on stations: push the current list (full or differential) to one station or a
group, ask a station for its list version, and keep track of the version each station holds.

A push reads the list once, then calls the stations concurrently (at most `concurrency` at a time) and
returns one result per station; an accepted update records the version sent as the station's. No I/O of its
own: the registry (groups), list store, station calls and clock are injected.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from authorization.local_list_store import ListSnapshot, LocalListStore, StationListVersion
from authorization.local_lists import list_version_of, update_for
from authorization.registry import StationRegistryRepository
from authorization.station_calls import (
    CallErrorAnswer,
    CallFailed,
    CallTimedOut,
    StationCalls,
    StationOffline,
)
from csms.runtime.versions import OcppVersion


class PushOutcome(enum.Enum):
    # the station's SendLocalList answer (1.6 UpdateStatus, 2.x SendLocalListStatusEnumType)
    ACCEPTED = "Accepted"
    FAILED = "Failed"
    VERSION_MISMATCH = "VersionMismatch"
    NOT_SUPPORTED = "NotSupported"
    # no answer
    OFFLINE = "Offline"
    TIMEOUT = "Timeout"
    ERROR = "Error"


@dataclass(frozen=True)
class PushResult:
    station_id: str
    outcome: PushOutcome
    detail: str = ""
    version_number: int = 0
    entries: int = 0


class UnknownGroup(LookupError):
    pass


class LocalListService:
    def __init__(
        self,
        registry: StationRegistryRepository,
        store: LocalListStore,
        calls: StationCalls,
        clock: Callable[[], datetime],
        *,
        concurrency: int,
        default_timeout_s: float,
    ) -> None:
        self._registry = registry
        self._store = store
        self._calls = calls
        self._clock = clock
        self._concurrency = concurrency
        self._default_timeout_s = default_timeout_s

    async def push_to_station(self, station_id: str, differential: bool, timeout_s: float | None) -> PushResult:
        results = await self._push([station_id], differential, timeout_s)
        return results[0]

    async def push_to_group(self, group: str, differential: bool, timeout_s: float | None) -> list[PushResult]:
        """Raises UnknownGroup when no station is in the group."""
        station_ids = await self._registry.stations_in_group(group)
        if not station_ids:
            raise UnknownGroup(group)
        return await self._push(station_ids, differential, timeout_s)

    async def refresh_version(self, station_id: str, timeout_s: float | None) -> int:
        """Asks the station (GetLocalListVersion) and records its answer. Raises StationOffline, CallTimedOut,
        CallErrorAnswer, CallFailed."""
        version = await self._calls.connected_version(station_id)
        if version is None:
            raise StationOffline(f"station {station_id} is offline")
        answer = await self._calls.call(station_id, "GetLocalListVersion", {}, timeout_s or self._default_timeout_s)
        list_version = list_version_of(version, answer)
        await self._store.record_station_version(station_id, list_version, self._clock())
        return list_version

    async def status(self, station_id: str) -> tuple[int, StationListVersion | None]:
        """The CSMS's current list version and the one last recorded for the station."""
        snapshot, held = await asyncio.gather(self._store.snapshot(), self._store.station_version(station_id))
        return snapshot.version, held

    async def _push(self, station_ids: list[str], differential: bool, timeout_s: float | None) -> list[PushResult]:
        snapshot = await self._store.snapshot()
        limit = asyncio.Semaphore(self._concurrency)

        async def one(station_id: str) -> PushResult:
            async with limit:
                return await self._push_one(snapshot, station_id, differential, timeout_s or self._default_timeout_s)

        return list(await asyncio.gather(*(one(station_id) for station_id in station_ids)))

    async def _push_one(
        self, snapshot: ListSnapshot, station_id: str, differential: bool, timeout_s: float
    ) -> PushResult:
        try:
            version = await self._calls.connected_version(station_id)
            if version is None:
                return PushResult(station_id, PushOutcome.OFFLINE, "not connected")
            since = None
            if differential:
                held = await self._store.station_version(station_id)
                since = held.version if held is not None else 0
            update = update_for(snapshot, version, station_id, since, self._clock())
            answer = await self._calls.call(station_id, "SendLocalList", update.payload, timeout_s)
        except StationOffline as exc:
            return PushResult(station_id, PushOutcome.OFFLINE, str(exc))
        except CallTimedOut as exc:
            return PushResult(station_id, PushOutcome.TIMEOUT, str(exc))
        except (CallErrorAnswer, CallFailed) as exc:
            return PushResult(station_id, PushOutcome.ERROR, str(exc))
        outcome = PushOutcome(answer["status"])
        if outcome is PushOutcome.ACCEPTED:
            await self._store.record_station_version(station_id, update.version_number, self._clock())
        detail = _detail(version, since, update.skipped)
        return PushResult(station_id, outcome, detail, update.version_number, update.entries)


def _detail(version: OcppVersion, since: int | None, skipped: int) -> str:
    parts = ["full" if since is None else f"differential since {since}"]
    if skipped:
        parts.append(f"{skipped} token(s) too long for {version.subprotocol} left out")
    return ", ".join(parts)
