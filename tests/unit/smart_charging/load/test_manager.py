"""The load manager: lowers answered before any raise, TxProfiles with per-allocation request keys, what the
stations accepted recorded, and a refused lower holding the raises back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from csms_smart_charging.load.app.manager import LoadManager, with_demand, with_limit
from csms_smart_charging.load.domain.site import Demand, EvseKey, Site
from csms_smart_charging.load.domain.state import SiteState
from kit.fakes.load import InMemorySiteRepository, RecordingPusher


def charging(station_id: str, since: float) -> Demand:
    return Demand(EvseKey(station_id, 1), active=True, since=since)


async def test_a_new_session_lowers_the_others_before_it_is_raised() -> None:
    pusher = RecordingPusher()
    manager = LoadManager(pusher, stack_level=5, min_raise_a=0.0)
    state = SiteState(Site("S", 32.0))
    with_demand(state, charging("A", 1.0), "tx-a")
    first = await manager.recompute(state)
    assert first.complete and state.installed == {EvseKey("A", 1): 32.0}
    pusher.log.clear()
    with_demand(state, charging("B", 2.0), "tx-b")
    second = await manager.recompute(state)
    assert second.complete
    assert pusher.log == [("sent", "A", 16.0), ("answered", "A", 16.0), ("sent", "B", 16.0), ("answered", "B", 16.0)]
    assert state.installed == {EvseKey("A", 1): 16.0, EvseKey("B", 1): 16.0}
    assert pusher.keys[-2:] == ["tx-profile:S:2:A:1", "tx-profile:S:2:B:1"]
    assert pusher.profiles[-1] == {
        "id": 1_000_001,
        "stack_level": 5,
        "purpose": "TxProfile",
        "kind": "Relative",
        "recurrency_kind": None,
        "valid_from": None,
        "valid_to": None,
        "transaction_id": "tx-b",
        "schedules": [
            {
                "id": 1,
                "start_schedule": None,
                "duration": None,
                "charging_rate_unit": "A",
                "min_charging_rate": None,
                "periods": [{"start_period": 0, "limit": 16.0, "number_phases": 3}],
            }
        ],
    }


@pytest.mark.parametrize("pusher", [RecordingPusher(refuse=frozenset({"A"})), RecordingPusher(fail=frozenset({"A"}))])
async def test_a_refused_or_failed_lower_holds_the_raises_back(
    pusher: RecordingPusher, caplog: pytest.LogCaptureFixture
) -> None:
    manager = LoadManager(pusher, stack_level=5, min_raise_a=0.0)
    state = SiteState(Site("S", 32.0), installed={EvseKey("A", 1): 32.0})
    with_demand(state, charging("A", 1.0), "tx-a")
    with_demand(state, charging("B", 2.0), "tx-b")
    result = await manager.recompute(state)
    assert not result.complete
    assert [entry for entry in pusher.log if entry[0] == "sent"] == [("sent", "A", 16.0)]
    assert state.installed == {EvseKey("A", 1): 32.0}
    assert "TxProfile 16.0 A for A/1 not installed (recompute 1)" in caplog.text


async def test_a_lowered_site_limit_is_followed_and_an_ended_session_frees_its_share() -> None:
    pusher = RecordingPusher()
    manager = LoadManager(pusher, stack_level=5, min_raise_a=0.0)
    state = SiteState(Site("S", 64.0))
    with_demand(state, charging("A", 1.0), "tx-a")
    with_demand(state, charging("B", 2.0), "tx-b")
    await manager.recompute(state)
    assert state.installed == {EvseKey("A", 1): 32.0, EvseKey("B", 1): 32.0}
    await manager.recompute(with_limit(state, 20.0))
    assert state.installed == {EvseKey("A", 1): 10.0, EvseKey("B", 1): 10.0}
    with_demand(state, Demand(EvseKey("B", 1), active=False), None)
    await manager.recompute(state)
    assert state.installed == {EvseKey("A", 1): 20.0}


async def test_a_repeated_recompute_with_nothing_changed_sends_nothing() -> None:
    pusher = RecordingPusher()
    manager = LoadManager(pusher, stack_level=5, min_raise_a=0.0)
    state = SiteState(Site("S", 32.0))
    with_demand(state, charging("A", 1.0), "tx-a")
    await manager.recompute(state)
    sent = len(pusher.keys)
    again = await manager.recompute(state)
    assert again.complete and not again.plan and len(pusher.keys) == sent


async def test_a_raise_left_unanswered_counts_at_its_higher_limit() -> None:
    pusher = RecordingPusher(silent=frozenset({"B"}))
    manager = LoadManager(pusher, stack_level=5, min_raise_a=0.0)
    state = SiteState(Site("S", 32.0), installed={EvseKey("A", 1): 16.0, EvseKey("B", 1): 16.0})
    with_demand(state, charging("A", 1.0), "tx-a")
    with_demand(state, charging("B", 2.0), "tx-b")
    with_demand(state, Demand(EvseKey("A", 1), active=False), None)
    result = await manager.recompute(state)
    assert not result.complete
    assert state.installed == {EvseKey("B", 1): 32.0}
    pusher.silent = frozenset({"A"})
    with_demand(state, charging("A", 3.0), "tx-a2")
    await manager.recompute(state)
    assert state.installed == {EvseKey("A", 1): 16.0, EvseKey("B", 1): 16.0}


async def test_a_recompute_overtaken_by_a_newer_one_sends_no_raise() -> None:
    repository = InMemorySiteRepository()
    pusher = RecordingPusher()
    manager = LoadManager(pusher, stack_level=5, min_raise_a=0.0, journal=repository)
    state = SiteState(Site("S", 32.0), installed={EvseKey("A", 1): 32.0})
    with_demand(state, charging("A", 1.0), "tx-a")
    with_demand(state, charging("B", 2.0), "tx-b")

    async def overtaking(station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool:
        await repository.next_sequence("S")  # another instance's recompute of the site starts meanwhile
        return True

    pusher.push = overtaking  # type: ignore[method-assign]
    result = await manager.recompute(state)
    assert not result.complete
    assert state.installed == {EvseKey("A", 1): 16.0}
