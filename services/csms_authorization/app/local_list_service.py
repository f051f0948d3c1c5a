"""Local authorization lists on stations: push the current list (full or differential) to one station or a
group, ask a station for its list version, and keep track of the version each station holds.

A push reads the list once, then calls the stations concurrently (at most `concurrency` at a time) and
returns one result per station. An update with more than one entry first asks the station for its limits
(1.6 GetConfiguration, 2.x GetVariables; a station that answers with a CALLERROR has none) and goes in as many
SendLocalList messages as they require, one after the other, stopping at the first that is not accepted; the
version of the last accepted message is recorded as the station's. Every call is built and read by its
module in `csms_authorization/ocpp/<version>/`. No I/O of its own: the registry (groups), list store, station
calls and clock are injected.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms_authorization.domain.local_lists import FULL, NO_LIMITS, LocalListUpdate, Message, MessageLimits, update_for
from csms_authorization.ocpp.v16 import get_configuration as v16_get_configuration
from csms_authorization.ocpp.v16 import get_local_list_version as v16_get_local_list_version
from csms_authorization.ocpp.v16 import send_local_list as v16_send_local_list
from csms_authorization.ocpp.v21 import get_local_list_version as v21_get_local_list_version
from csms_authorization.ocpp.v21 import get_variables as v21_get_variables
from csms_authorization.ocpp.v21 import send_local_list as v21_send_local_list
from csms_authorization.ocpp.v201 import get_local_list_version as v201_get_local_list_version
from csms_authorization.ocpp.v201 import get_variables as v201_get_variables
from csms_authorization.ocpp.v201 import send_local_list as v201_send_local_list
from csms_authorization.ports import ListSnapshot, LocalListStore, StationListVersion, StationRegistryRepository
from csms_kernel.clients.station_calls import CallErrorAnswer, CallFailed, CallTimedOut, StationCalls, StationOffline
from csms_kernel.ocpp.versions import OcppVersion


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
        timeout = timeout_s or self._default_timeout_s
        if version is OcppVersion.V16:
            answer = await self._calls.send(station_id, v16_get_local_list_version.request(), timeout)
            list_version = v16_get_local_list_version.outcome(answer.result)
        elif version is OcppVersion.V201:
            answer = await self._calls.send(station_id, v201_get_local_list_version.request(), timeout)
            list_version = v201_get_local_list_version.outcome(answer.result)
        else:
            answer = await self._calls.send(station_id, v21_get_local_list_version.request(), timeout)
            list_version = v21_get_local_list_version.outcome(answer.result)
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
            try:
                version = await self._calls.connected_version(station_id)
            except StationOffline:
                return PushResult(station_id, PushOutcome.OFFLINE, "not connected")
            since = None
            if differential:
                held = await self._store.station_version(station_id)
                since = held.version if held is not None else 0
            update = update_for(snapshot, version, station_id, since, self._clock())
            limits = await self._limits(station_id, version, update, timeout_s)
        except _CALL_FAILURES as exc:
            return PushResult(station_id, _failure_outcome(exc), str(exc))
        detail = _detail(version, since, update.skipped)
        if update.update_type == FULL and limits.capacity is not None and update.entries > limits.capacity:
            detail += f", {update.entries} entries for a list of at most {limits.capacity}: not sent"
            return PushResult(station_id, PushOutcome.ERROR, detail, update.version_number, update.entries)
        messages = update.messages(limits)
        accepted, outcome, failure = await self._send(station_id, version, messages, timeout_s)
        if accepted:
            await self._store.record_station_version(station_id, messages[accepted - 1].version_number, self._clock())
        if len(messages) > 1:
            detail += f", {len(messages)} messages"
            if accepted < len(messages):
                held_now = f"it holds version {messages[accepted - 1].version_number}" if accepted else "none accepted"
                detail += f", stopped at message {accepted + 1} ({held_now})"
        if failure:
            detail = f"{failure}; {detail}" if len(messages) > 1 else failure
        return PushResult(station_id, outcome, detail, update.version_number, update.entries)

    async def _send(
        self, station_id: str, version: OcppVersion, messages: list[Message], timeout_s: float
    ) -> tuple[int, PushOutcome, str]:
        """Sends the messages one after the other until one is not accepted. Returns how many were accepted,
        the last outcome and, when a call failed, why."""
        status = _SEND_LOCAL_LIST_STATUS[version]
        for sent, message in enumerate(messages):
            try:
                answer = await self._calls.send(station_id, message.request, timeout_s)
            except _CALL_FAILURES as exc:
                return sent, _failure_outcome(exc), str(exc)
            outcome = PushOutcome(status(answer.result))
            if outcome is not PushOutcome.ACCEPTED:
                return sent, outcome, ""
        return len(messages), PushOutcome.ACCEPTED, ""

    async def _limits(
        self, station_id: str, version: OcppVersion, update: LocalListUpdate, timeout_s: float
    ) -> MessageLimits:
        """The station's SendLocalList limits; none asked for an update that cannot be split."""
        if update.entries <= 1:
            return NO_LIMITS
        try:
            if version is OcppVersion.V16:
                answer = await self._calls.send(station_id, v16_get_configuration.request(), timeout_s)
                return v16_get_configuration.outcome(answer.result)
            if version is OcppVersion.V201:
                answer = await self._calls.send(station_id, v201_get_variables.request(), timeout_s)
                return v201_get_variables.outcome(answer.result)
            answer = await self._calls.send(station_id, v21_get_variables.request(), timeout_s)
            return v21_get_variables.outcome(answer.result)
        except CallErrorAnswer:
            return NO_LIMITS


_CALL_FAILURES = (StationOffline, CallTimedOut, CallErrorAnswer, CallFailed)
# The station's answer to a SendLocalList of its version.
_SEND_LOCAL_LIST_STATUS: dict[OcppVersion, Callable[[Any], str]] = {
    OcppVersion.V16: v16_send_local_list.status,
    OcppVersion.V201: v201_send_local_list.status,
    OcppVersion.V21: v21_send_local_list.status,
}


def _failure_outcome(exc: Exception) -> PushOutcome:
    if isinstance(exc, StationOffline):
        return PushOutcome.OFFLINE
    if isinstance(exc, CallTimedOut):
        return PushOutcome.TIMEOUT
    return PushOutcome.ERROR


def _detail(version: OcppVersion, since: int | None, skipped: int) -> str:
    parts = ["full" if since is None else f"differential since {since}"]
    if skipped:
        parts.append(f"{skipped} token(s) too long for {version.subprotocol} left out")
    return ", ".join(parts)
