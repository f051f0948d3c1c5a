"""Who may connect: the gRPC adapter of the `StationRegistry` port (csms_edge.ports) and a verdict cache.

`GrpcStationRegistry` asks `AuthorizationService.VerifyStationCredentials` (network I/O, bounded by a
timeout); any failure raises `RegistryUnavailable`, so the handshake is refused rather than accepted by
accident. `CachingStationRegistry` keeps verdicts in memory keyed by (station id, sha256 of the password),
never the password itself, and coalesces concurrent look-ups of the same key (reconnect storms).
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
}


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

    async def verify(self, station_id: str, password: str) -> Verdict:
        request = authorization_pb2.VerifyStationCredentialsRequest(station_id=station_id, password=password)
        try:
            response = await self._verify_call(request, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise RegistryUnavailable(f"{exc.code().name}: {exc.details()}") from exc
        verdict = _VERDICTS.get(response.verdict)
        if verdict is None:
            raise RegistryUnavailable(f"registry answered verdict {response.verdict}")
        return verdict


_Key = tuple[str, bytes]


class CachingStationRegistry:
    """Caches ACCEPTED verdicts for `accepted_ttl_s` and refusals for `refused_ttl_s`; bounded size."""

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
        self._entries: OrderedDict[_Key, tuple[float, Verdict]] = OrderedDict()
        self._in_flight: dict[_Key, asyncio.Future[Verdict]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def verify(self, station_id: str, password: str) -> Verdict:
        key = (station_id, hashlib.sha256(password.encode()).digest())
        cached = self._entries.get(key)
        if cached is not None:
            expires_at, verdict = cached
            if self._clock() < expires_at:
                return verdict
            del self._entries[key]
        in_flight = self._in_flight.get(key)
        if in_flight is not None:
            try:
                return await asyncio.shield(in_flight)
            except asyncio.CancelledError:
                if not in_flight.cancelled():
                    raise  # this caller was cancelled, not the look-up it waited for
                # The caller doing the look-up was cancelled: look it up ourselves.
        return await self._look_up(key, station_id, password)

    async def _look_up(self, key: _Key, station_id: str, password: str) -> Verdict:
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            verdict = await self._inner.verify(station_id, password)
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
        future.set_result(verdict)
        self._store(key, verdict)
        return verdict

    def _store(self, key: _Key, verdict: Verdict) -> None:
        ttl = self._accepted_ttl_s if verdict is Verdict.ACCEPTED else self._refused_ttl_s
        if ttl <= 0:
            return
        self._entries[key] = (self._clock() + ttl, verdict)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
