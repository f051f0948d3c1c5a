"""The stream's filters and the station group cache."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from csms_api.live.errors import BadEventsRequest
from csms_api.live.events import LiveEvent
from csms_api.live.filters import EventFilter, GroupCache, registry_group_of
from csms_api.ports import PeerError
from kit.fakes.api import FakeAuthorization


def event(event_type: str, station_id: str = "CP-1") -> LiveEvent:
    return LiveEvent(event_type, station_id, b"")


def test_no_filter_admits_everything() -> None:
    assert EventFilter.of([], [], []).admits(event("station.booted"))


def test_stations_any_of() -> None:
    only = EventFilter.of(["CP-1", "CP-2"], [], [])
    assert only.admits(event("station.booted", "CP-2"))
    assert not only.admits(event("station.booted", "CP-3"))


def test_types_by_exact_name_or_prefix() -> None:
    only = EventFilter.of([], [], ["transaction.", "station.connected"])
    assert only.admits(event("transaction.ended"))
    assert only.admits(event("station.connected"))
    assert not only.admits(event("station.disconnected"))
    assert not only.admits(event("connector.status_changed"))


def test_every_given_parameter_must_match() -> None:
    only = EventFilter.of(["CP-1"], [], ["transaction."])
    assert only.admits(event("transaction.started", "CP-1"))
    assert not only.admits(event("transaction.started", "CP-2"))
    assert not only.admits(event("station.booted", "CP-1"))


@pytest.mark.parametrize(
    ("stations", "groups", "types", "parameter"),
    [
        ([], [], ["transactions."], "type"),
        ([], [], ["nope"], "type"),
        ([""], [], [], "station_id"),
        ([], [""], [], "group"),
        ([f"CP-{i}" for i in range(101)], [], [], "station_id"),
    ],
)
def test_bad_filters_name_the_parameter(
    stations: list[str], groups: list[str], types: list[str], parameter: str
) -> None:
    with pytest.raises(BadEventsRequest) as refused:
        EventFilter.of(stations, groups, types)
    assert refused.value.parameter == parameter


def test_an_unknown_type_lists_the_known_ones() -> None:
    with pytest.raises(BadEventsRequest) as refused:
        EventFilter.of([], [], ["transactions."])
    assert "transaction.started" in refused.value.detail


class Registry:
    def __init__(self, groups: dict[str, str | None]) -> None:
        self.groups = groups
        self.calls: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.failing = False

    async def group_of(self, station_id: str) -> str | None:
        self.calls.append(station_id)
        await self.gate.wait()
        if self.failing:
            raise ConnectionError("registry down")
        return self.groups.get(station_id)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_groups_are_cached_for_their_ttl() -> None:
    registry, clock = Registry({"CP-1": "FLEET"}), Clock()
    cache = GroupCache(registry.group_of, ttl_s=30, size=10, clock=clock)
    assert await cache.group("CP-1") == "FLEET"
    registry.groups["CP-1"] = "OTHER"
    clock.now = 29
    assert await cache.group("CP-1") == "FLEET"
    clock.now = 31
    assert await cache.group("CP-1") == "OTHER"
    assert registry.calls == ["CP-1", "CP-1"]


async def test_stations_without_a_group_are_cached_too() -> None:
    registry = Registry({})
    cache = GroupCache(registry.group_of, ttl_s=30, size=10)
    assert await cache.group("CP-9") is None
    assert await cache.group("CP-9") is None
    assert registry.calls == ["CP-9"]


async def test_least_recently_used_stations_leave_first() -> None:
    registry = Registry({"A": "1", "B": "2", "C": "3"})
    cache = GroupCache(registry.group_of, ttl_s=30, size=2)
    for station in ("A", "B", "A", "C", "A", "B"):
        await cache.group(station)
    assert registry.calls == ["A", "B", "C", "B"]


async def test_concurrent_lookups_of_one_station_share_one_call() -> None:
    registry = Registry({"CP-1": "FLEET"})
    registry.gate.clear()
    cache = GroupCache(registry.group_of, ttl_s=30, size=10)
    lookups = [asyncio.create_task(cache.group("CP-1")) for _ in range(5)]
    await asyncio.sleep(0)
    registry.gate.set()
    assert await asyncio.gather(*lookups) == ["FLEET"] * 5
    assert registry.calls == ["CP-1"]


async def test_a_failing_lookup_raises_and_is_not_cached() -> None:
    registry = Registry({"CP-1": "FLEET"})
    registry.failing = True
    cache = GroupCache(registry.group_of, ttl_s=30, size=10)
    with pytest.raises(ConnectionError):
        await cache.group("CP-1")
    registry.failing = False
    assert await cache.group("CP-1") == "FLEET"


async def test_waiters_look_up_themselves_when_the_first_caller_is_cancelled() -> None:
    registry = Registry({"CP-1": "FLEET"})
    registry.gate.clear()
    cache = GroupCache(registry.group_of, ttl_s=30, size=10)
    first = asyncio.create_task(cache.group("CP-1"))
    await asyncio.sleep(0)
    second = asyncio.create_task(cache.group("CP-1"))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    registry.gate.set()
    assert await second == "FLEET"
    assert first.cancelled()


async def test_the_registry_gives_a_stations_group_and_none_for_unknown_or_ungrouped_stations() -> None:
    registry = FakeAuthorization()
    registry.register("CP-1", group="FLEET")
    registry.register("CP-2")
    group_of = registry_group_of(registry)
    assert [await group_of(s) for s in ("CP-1", "CP-2", "CP-9")] == ["FLEET", None, None]


async def test_a_registry_that_cannot_answer_raises() -> None:
    registry = FakeAuthorization()
    registry.fail("get_registered_station", grpc.StatusCode.UNAVAILABLE)
    with pytest.raises(PeerError):
        await registry_group_of(registry)("CP-1")
