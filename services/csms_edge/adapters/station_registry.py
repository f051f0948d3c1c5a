"""Who may connect: the gRPC adapter of the `StationRegistry` port (csms_edge.ports) and a verdict cache.

`GrpcStationRegistry` asks `AuthorizationService.VerifyStationCredentials` (network I/O, bounded by a
timeout); any failure raises `RegistryUnavailable`, so the handshake is refused rather than accepted by
accident. `CachingStationRegistry` keeps verdicts in memory per station, keyed by the presented security
profile and the sha256 of the password (never the password itself), least recently used first out (a hit
refreshes the station), coalesces concurrent look-ups of the same key (reconnect storms), and forgets a
station's verdicts when its credentials change (`forget`, driven by `app.credential_changes`; docs/adr/0021).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol

import grpc

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_edge.ports import RegistryUnavailable, StationRegistry, Verdict

_VERDICTS = {
    authorization_pb2.VERDICT_ACCEPTED: Verdict.ACCEPTED,
    authorization_pb2.VERDICT_UNKNOWN_STATION: Verdict.UNKNOWN_STATION,
    authorization_pb2.VERDICT_WRONG_PASSWORD: Verdict.WRONG_PASSWORD,
    authorization_pb2.VERDICT_DISABLED: Verdict.DISABLED,
    authorization_pb2.VERDICT_PROFILE_TOO_LOW: Verdict.PROFILE_TOO_LOW,
}
# Verdicts kept per station: its right password and a few wrong ones; more only cost registry look-ups.
PASSWORDS_PER_STATION = 4


class VerifyCall(Protocol):
    """`AuthorizationServiceStub(channel).VerifyStationCredentials` (a fake in tests)."""

    def __call__(
        self, request: authorization_pb2.VerifyStationCredentialsRequest, *, timeout: float | None = None
    ) -> Awaitable[authorization_pb2.VerifyStationCredentialsResponse]: ...


class GrpcStationRegistry:
    """The registry served by the authorization service."""

    def __init__(self, verify_call: VerifyCall, timeout_s: float) -> None:
        self._verify_call = verify_call
        self._timeout_s = timeout_s

    @classmethod
    def for_channel(cls, channel: grpc.aio.Channel, timeout_s: float) -> GrpcStationRegistry:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        return cls(stub.VerifyStationCredentials, timeout_s)

    async def verify(self, station_id: str, password: str, presented_profile: int = 1) -> Verdict:
        request = authorization_pb2.VerifyStationCredentialsRequest(
            station_id=station_id, password=password, presented_profile=presented_profile
        )
        try:
            response = await self._verify_call(request, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise RegistryUnavailable(f"{exc.code().name}: {exc.details()}") from exc
        verdict = _VERDICTS.get(response.verdict)
        if verdict is None:
            raise RegistryUnavailable(f"registry answered verdict {response.verdict}")
        return verdict


_Key = tuple[str, bytes]  # station id, sha256 of (presented profile, password)


class NothingCached:
    """The `VerdictCache` of a registry that caches nothing (one given to the node without a cache)."""

    def forget(self, station_id: str) -> None:
        return None


class CachingStationRegistry:
    """Caches ACCEPTED verdicts for `accepted_ttl_s` and refusals for `refused_ttl_s`, for at most
    `max_entries` stations (the station used longest ago is dropped first)."""

    def __init__(
        self,
        inner: StationRegistry,
        *,
        accepted_ttl_s: float,
        refused_ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._accepted_ttl_s = accepted_ttl_s
        self._refused_ttl_s = refused_ttl_s
        self._max_entries = max_entries
        self._clock = clock
        # station id -> sha256 of a password -> (expires at, verdict)
        self._entries: OrderedDict[str, dict[bytes, tuple[float, Verdict]]] = OrderedDict()
        self._in_flight: dict[_Key, asyncio.Future[Verdict]] = {}
        self._stale: set[asyncio.Future[Verdict]] = set()

    def __len__(self) -> int:
        """The number of stations with cached verdicts."""
        return len(self._entries)

    def forget(self, station_id: str) -> None:
        self._entries.pop(station_id, None)
        self._stale.update(future for (station, _), future in self._in_flight.items() if station == station_id)

    async def verify(self, station_id: str, password: str, presented_profile: int = 1) -> Verdict:
        key = (station_id, hashlib.sha256(b"%d:" % presented_profile + password.encode()).digest())
        cached = self._cached(key)
        if cached is not None:
            return cached
        in_flight = self._in_flight.get(key)
        if in_flight is not None:
            try:
                return await asyncio.shield(in_flight)
            except asyncio.CancelledError:
                if not in_flight.cancelled():
                    raise  # this caller was cancelled, not the look-up it waited for
                # The caller doing the look-up was cancelled: look it up ourselves.
        return await self._look_up(key, station_id, password, presented_profile)

    def _cached(self, key: _Key) -> Verdict | None:
        station_id, digest = key
        verdicts = self._entries.get(station_id)
        entry = verdicts.get(digest) if verdicts is not None else None
        if verdicts is None or entry is None:
            return None
        expires_at, verdict = entry
        if self._clock() < expires_at:
            self._entries.move_to_end(station_id)
            return verdict
        del verdicts[digest]
        if not verdicts:
            del self._entries[station_id]
        return None

    async def _look_up(self, key: _Key, station_id: str, password: str, presented_profile: int) -> Verdict:
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            verdict = await self._inner.verify(station_id, password, presented_profile)
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: no "exception never retrieved" when nobody waited
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            if self._in_flight.get(key) is future:
                del self._in_flight[key]
            fresh = future not in self._stale
            self._stale.discard(future)
        future.set_result(verdict)
        if fresh:
            self._store(key, verdict)
        return verdict

    def _store(self, key: _Key, verdict: Verdict) -> None:
        ttl = self._accepted_ttl_s if verdict is Verdict.ACCEPTED else self._refused_ttl_s
        if ttl <= 0:
            return
        station_id, digest = key
        verdicts = self._entries.setdefault(station_id, {})
        self._entries.move_to_end(station_id)
        verdicts.pop(digest, None)
        verdicts[digest] = (self._clock() + ttl, verdict)
        while len(verdicts) > PASSWORDS_PER_STATION:
            del verdicts[next(iter(verdicts))]
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
