"""Station registry: the gRPC adapter's verdict mapping and the verdict cache."""

from __future__ import annotations

import asyncio
import hashlib

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2
from csms_edge.adapters.station_registry import PASSWORDS_PER_STATION, CachingStationRegistry, GrpcStationRegistry
from csms_edge.ports import RegistryUnavailable, Verdict
from kit.fakes.edge import FakeRegistry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cached(inner: FakeRegistry, clock: Clock, max_entries: int = 100) -> CachingStationRegistry:
    return CachingStationRegistry(inner, accepted_ttl_s=60, refused_ttl_s=5, max_entries=max_entries, clock=clock)


async def test_accepted_verdict_is_cached_for_its_ttl() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    registry = cached(inner, clock)
    assert await registry.verify("CS-1", "secret") is Verdict.ACCEPTED
    clock.now += 59
    assert await registry.verify("CS-1", "secret") is Verdict.ACCEPTED
    assert len(inner.calls) == 1
    clock.now += 2
    assert await registry.verify("CS-1", "secret") is Verdict.ACCEPTED
    assert len(inner.calls) == 2


async def test_refusals_are_cached_briefly() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    registry = cached(inner, clock)
    assert await registry.verify("CS-1", "wrong") is Verdict.WRONG_PASSWORD
    assert await registry.verify("CS-9", "x") is Verdict.UNKNOWN_STATION
    clock.now += 4
    assert await registry.verify("CS-1", "wrong") is Verdict.WRONG_PASSWORD
    assert await registry.verify("CS-9", "x") is Verdict.UNKNOWN_STATION
    assert len(inner.calls) == 2
    inner.credentials["CS-9"] = "x"  # registered meanwhile
    clock.now += 2
    assert await registry.verify("CS-9", "x") is Verdict.ACCEPTED
    assert len(inner.calls) == 3


async def test_key_includes_the_password() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    registry = cached(inner, clock)
    assert await registry.verify("CS-1", "secret") is Verdict.ACCEPTED
    assert await registry.verify("CS-1", "other") is Verdict.WRONG_PASSWORD
    assert await registry.verify("CS-1", "secret") is Verdict.ACCEPTED
    assert inner.calls == [("CS-1", "secret"), ("CS-1", "other")]


async def test_cache_holds_password_hashes_not_passwords() -> None:
    registry = cached(FakeRegistry({"CS-1": "secret"}), Clock())
    await registry.verify("CS-1", "secret")
    assert {station: list(verdicts) for station, verdicts in registry._entries.items()} == {
        "CS-1": [hashlib.sha256(b"1:secret").digest()]
    }


async def test_the_presented_profile_is_part_of_the_cache_key() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    inner.profiles["CS-1"] = 2
    registry = cached(inner, clock)
    assert await registry.verify("CS-1", "secret", 1) is Verdict.PROFILE_TOO_LOW
    assert await registry.verify("CS-1", "secret", 2) is Verdict.ACCEPTED
    assert await registry.verify("CS-1", "secret", 1) is Verdict.PROFILE_TOO_LOW
    assert await registry.verify("CS-1", "secret", 2) is Verdict.ACCEPTED
    assert inner.presented == [1, 2]


async def test_a_hit_refreshes_the_station_so_the_least_recently_used_is_evicted() -> None:
    inner, clock = FakeRegistry({f"CS-{i}": "pw" for i in range(4)}), Clock()
    registry = cached(inner, clock, max_entries=3)
    for i in range(3):
        await registry.verify(f"CS-{i}", "pw")
    await registry.verify("CS-0", "pw")  # a hit: CS-0 becomes the most recently used
    await registry.verify("CS-3", "pw")  # evicts CS-1, not CS-0
    await registry.verify("CS-0", "pw")
    assert len(inner.calls) == 4
    await registry.verify("CS-1", "pw")
    assert len(inner.calls) == 5


async def test_a_station_keeps_the_verdicts_of_its_last_few_passwords() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    registry = cached(inner, clock)
    passwords = ["secret", *(f"wrong-{i}" for i in range(PASSWORDS_PER_STATION))]
    for password in passwords:
        await registry.verify("CS-1", password)
    assert len(inner.calls) == len(passwords)
    await registry.verify("CS-1", passwords[-1])
    assert len(inner.calls) == len(passwords)  # still cached
    await registry.verify("CS-1", "secret")
    assert len(inner.calls) == len(passwords) + 1  # the oldest was dropped


async def test_forget_drops_the_stations_verdicts_only() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret", "CS-2": "secret"}), Clock()
    registry = cached(inner, clock)
    for station_id in ("CS-1", "CS-2"):
        assert await registry.verify(station_id, "secret") is Verdict.ACCEPTED
        await registry.verify(station_id, "wrong")
    inner.disabled.add("CS-1")
    registry.forget("CS-1")
    registry.forget("CS-9")  # nothing cached: nothing to do
    assert await registry.verify("CS-1", "secret") is Verdict.DISABLED
    assert await registry.verify("CS-2", "secret") is Verdict.ACCEPTED
    assert inner.calls[4:] == [("CS-1", "secret")]


async def test_a_look_up_in_flight_when_forgotten_is_answered_but_not_cached() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    inner.gate = asyncio.Event()
    registry = cached(inner, clock)
    first = asyncio.create_task(registry.verify("CS-1", "secret"))
    waiter = asyncio.create_task(registry.verify("CS-1", "secret"))
    await asyncio.sleep(0)  # both started: the first looks it up, the second waits for it
    assert inner.calls == [("CS-1", "secret")]
    registry.forget("CS-1")  # the look-up may have read the registry before the change
    inner.gate.set()
    assert await first is Verdict.ACCEPTED and await waiter is Verdict.ACCEPTED
    inner.gate = None
    inner.disabled.add("CS-1")
    assert await registry.verify("CS-1", "secret") is Verdict.DISABLED
    assert len(inner.calls) == 2
    assert await registry.verify("CS-1", "secret") is Verdict.DISABLED  # a fresh look-up is cached again
    assert len(inner.calls) == 2


async def test_unavailability_is_not_cached() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    registry = cached(inner, clock)
    inner.unavailable = True
    with pytest.raises(RegistryUnavailable):
        await registry.verify("CS-1", "secret")
    inner.unavailable = False
    assert await registry.verify("CS-1", "secret") is Verdict.ACCEPTED
    assert len(inner.calls) == 2


async def test_concurrent_lookups_of_one_key_are_coalesced() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    registry = cached(inner, clock)
    verdicts = await asyncio.gather(*(registry.verify("CS-1", "secret") for _ in range(50)))
    assert verdicts == [Verdict.ACCEPTED] * 50
    assert len(inner.calls) == 1


async def test_concurrent_failure_reaches_every_waiter() -> None:
    inner, clock = FakeRegistry({"CS-1": "secret"}), Clock()
    inner.unavailable = True
    registry = cached(inner, clock)
    results = await asyncio.gather(*(registry.verify("CS-1", "secret") for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RegistryUnavailable) for r in results)
    assert len(inner.calls) == 1


async def test_size_is_bounded_oldest_evicted() -> None:
    inner, clock = FakeRegistry({f"CS-{i}": "pw" for i in range(5)}), Clock()
    registry = cached(inner, clock, max_entries=3)
    for i in range(5):
        await registry.verify(f"CS-{i}", "pw")
    assert len(registry) == 3
    await registry.verify("CS-4", "pw")
    assert len(inner.calls) == 5
    await registry.verify("CS-0", "pw")
    assert len(inner.calls) == 6


def rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="boom", debug_error_string="")


class FakeVerifyCall:
    def __init__(self, outcome: authorization_pb2.VerifyStationCredentialsResponse | Exception) -> None:
        self.outcome = outcome
        self.requests: list[tuple[authorization_pb2.VerifyStationCredentialsRequest, float | None]] = []

    async def __call__(
        self,
        request: authorization_pb2.VerifyStationCredentialsRequest,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - the gRPC stub's signature
    ) -> authorization_pb2.VerifyStationCredentialsResponse:
        self.requests.append((request, timeout))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.mark.parametrize(
    ("proto", "verdict"),
    [
        (authorization_pb2.VERDICT_ACCEPTED, Verdict.ACCEPTED),
        (authorization_pb2.VERDICT_UNKNOWN_STATION, Verdict.UNKNOWN_STATION),
        (authorization_pb2.VERDICT_WRONG_PASSWORD, Verdict.WRONG_PASSWORD),
        (authorization_pb2.VERDICT_DISABLED, Verdict.DISABLED),
        (authorization_pb2.VERDICT_PROFILE_TOO_LOW, Verdict.PROFILE_TOO_LOW),
    ],
)
async def test_grpc_verdicts_are_mapped(proto: authorization_pb2.Verdict.ValueType, verdict: Verdict) -> None:
    call = FakeVerifyCall(authorization_pb2.VerifyStationCredentialsResponse(verdict=proto, security_profile=1))
    assert await GrpcStationRegistry(call, 2.0).verify("CS-1", "secret", 3) is verdict
    assert call.requests == [
        (
            authorization_pb2.VerifyStationCredentialsRequest(
                station_id="CS-1", password="secret", presented_profile=3
            ),
            2.0,
        )
    ]


@pytest.mark.parametrize(
    "outcome",
    [
        rpc_error(grpc.StatusCode.UNAVAILABLE),
        rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED),
        rpc_error(grpc.StatusCode.INTERNAL),
        authorization_pb2.VerifyStationCredentialsResponse(verdict=authorization_pb2.VERDICT_UNSPECIFIED),
    ],
)
async def test_grpc_failures_mean_unavailable_never_accepted(
    outcome: authorization_pb2.VerifyStationCredentialsResponse | Exception,
) -> None:
    with pytest.raises(RegistryUnavailable):
        await GrpcStationRegistry(FakeVerifyCall(outcome), 2.0).verify("CS-1", "secret")
