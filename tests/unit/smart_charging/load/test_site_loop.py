"""Load management's consumers over fakes: the observer re-keys the transaction events of EVSEs on a site by the
site; the site loop recomputes each site from its stored state, stores sessions, enforced limits and recompute
numbers, and resumes after a restart without reusing a request key; a batch applied again sends nothing new;
connector statuses take EVSEs out of service and back; incomplete recomputes are retried; the sites of a batch
run concurrently (bounded), each one's events in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.app.loop import LoadLoop
from csms_smart_charging.load.app.manager import LoadManager
from csms_smart_charging.load.app.observer import ObserveSites
from csms_smart_charging.load.app.retries import SiteRetries
from csms_smart_charging.load.app.site_loop import RunSiteLoops
from csms_smart_charging.load.domain.config import SiteDefinition
from csms_smart_charging.load.domain.site import Demand, EvseKey, Site
from csms_smart_charging.load.domain.site_events import site_observed, site_status_observed
from csms_smart_charging.load.domain.sites import event_key, site_defined, site_limit_changed
from kit.builders.smart_charging import NOW
from kit.fakes.load import InMemorySiteRepository, RecordingPusher
from kit.fakes.smart_charging import PublishedEvents
from kit.waiting import eventually

A, B = EvseKey("CP-A", 1), EvseKey("CP-B", 1)


def store_of(limit: float) -> InMemorySiteRepository:
    return InMemorySiteRepository(SiteDefinition(Site("S", limit), {key: Demand(key, active=False) for key in (A, B)}))


def loops_of(
    store: InMemorySiteRepository, pusher: RecordingPusher | None = None, retries: SiteRetries | None = None
) -> tuple[RunSiteLoops, RecordingPusher]:
    pusher = pusher or RecordingPusher()
    manager = LoadManager(pusher, stack_level=1, min_raise_a=0.0, journal=store)
    retries = retries or SiteRetries(initial_s=1.0, maximum_s=8.0)
    return RunSiteLoops(store, LoadLoop(manager, 2.0), pusher, stack_level=1, retries=retries), pusher


def started(key: EvseKey, transaction_id: str, message_id: str = "m-1") -> transactions_pb2.TransactionEvent:
    return transactions_pb2.TransactionEvent(
        station_id=key.station_id,
        transaction_id=transaction_id,
        message_id=message_id,
        started=transactions_pb2.TransactionStarted(evse_id=key.evse_id),
    )


def ended(key: EvseKey, transaction_id: str) -> transactions_pb2.TransactionEvent:
    return transactions_pb2.TransactionEvent(
        station_id=key.station_id,
        transaction_id=transaction_id,
        message_id="m-end",
        ended=transactions_pb2.TransactionEnded(evse_id=key.evse_id),
    )


async def test_the_observer_rekeys_events_of_evses_on_a_site() -> None:
    store, published = store_of(32.0), PublishedEvents()
    observer = ObserveSites(store, published)
    unused = transactions_pb2.TransactionEvent(
        station_id="CP-A", updated=transactions_pb2.TransactionUpdated(evse_id=1)
    )
    await observer.after_writes([started(A, "tx-a"), started(EvseKey("ELSEWHERE", 1), "tx-x"), unused], None)
    [event] = published.events
    assert (event_key(event), event.station_id, event.site_observed.transaction) == ("S", "CP-A", started(A, "tx-a"))
    assert event.event_id == site_observed("S", started(A, "tx-a")).event_id
    assert store.lookups == 2


async def test_sessions_recompute_the_site_and_its_state_is_stored() -> None:
    store = store_of(32.0)
    loops, pusher = loops_of(store)
    await loops.after_writes([site_observed("S", started(A, "tx-a")), site_observed("S", started(B, "tx-b"))], None)
    assert store.installed["S"] == {A: 16.0, B: 16.0}
    assert store.sequences["S"] == 2
    assert pusher.keys == ["tx-profile:S:1:CP-A:1", "tx-profile:S:2:CP-A:1", "tx-profile:S:2:CP-B:1"]
    assert {key: (demand.active, tx) for key, (demand, tx) in store.sessions["S"].items()} == {
        A: (True, "tx-a"),
        B: (True, "tx-b"),
    }


async def test_a_batch_applied_again_sends_nothing_and_a_restart_resumes_under_new_numbers() -> None:
    store = store_of(32.0)
    loops, pusher = loops_of(store)
    batch = [site_observed("S", started(A, "tx-a")), site_observed("S", started(B, "tx-b"))]
    await loops.after_writes(batch, None)
    sent = list(pusher.keys)
    await loops.after_writes(batch, None)
    assert pusher.keys == sent
    restarted, pusher_after = loops_of(store)
    await restarted.after_writes([site_observed("S", ended(A, "tx-a"))], None)
    assert pusher_after.keys == ["tx-profile:S:3:CP-B:1"]
    assert store.installed["S"] == {B: 32.0}
    assert list(store.sessions["S"]) == [B]
    assert not set(pusher_after.keys) & set(sent)


async def test_station_events_and_unknown_sites_are_skipped() -> None:
    store = store_of(32.0)
    loops, pusher = loops_of(store)
    station_event = smart_charging_pb2.SmartChargingEvent(
        station_id="CP-A", boot_seen=smart_charging_pb2.StationBootSeen(reason="PowerUp")
    )
    await loops.after_writes([station_event, site_observed("GONE", started(A, "tx-a"))], None)
    assert pusher.keys == [] and store.sessions == {}


async def test_a_site_defined_gets_its_idle_limit_as_tx_default_on_every_evse() -> None:
    definition = SiteDefinition(Site("S", 32.0, idle_limit_a=6.0), {key: Demand(key, active=False) for key in (A, B)})
    store = InMemorySiteRepository(definition)
    loops, pusher = loops_of(store)
    await loops.after_writes([site_defined(definition, NOW)], None)
    assert pusher.keys == ["tx-default:S:1:CP-A:1", "tx-default:S:1:CP-B:1"]
    assert {(p["purpose"], p["stack_level"], p["schedules"][0]["periods"][0]["limit"]) for p in pusher.profiles} == {
        ("TxDefaultProfile", 1, 6.0)
    }


async def test_a_limit_changed_recomputes_the_site_from_the_stored_limit() -> None:
    store = store_of(32.0)
    loops, pusher = loops_of(store)
    await loops.after_writes([site_observed("S", started(A, "tx-a"))], None)
    changed = await store.set_limit("S", 10.0)
    assert changed is not None
    await loops.after_writes([site_limit_changed(changed[0], changed[1], NOW)], None)
    assert store.installed["S"] == {A: 10.0}
    assert pusher.keys[-1] == "tx-profile:S:2:CP-A:1"


async def test_an_end_naming_no_evse_ends_the_session_of_its_transaction() -> None:
    store, published = store_of(32.0), PublishedEvents()
    loops, _ = loops_of(store)
    await loops.after_writes([site_observed("S", started(A, "tx-a")), site_observed("S", started(B, "tx-b"))], None)
    stop_16 = transactions_pb2.TransactionEvent(
        station_id="CP-A", transaction_id="tx-a", message_id="m-stop", ended=transactions_pb2.TransactionEnded()
    )
    await ObserveSites(store, published).after_writes([stop_16], None)
    assert [event_key(event) for event in published.events] == ["S"]
    await loops.after_writes(published.events, None)
    assert list(store.sessions["S"]) == [B]
    assert store.installed["S"] == {B: 32.0}


def status(key: EvseKey, value: str, connector_id: int = 1) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id=key.station_id,
        message_id=f"m-{value}",
        connector_status_changed=device_model_pb2.ConnectorStatusChanged(
            evse_id=key.evse_id, connector_id=connector_id, status=value
        ),
    )


async def test_the_observer_rekeys_connector_statuses_of_evses_on_a_site() -> None:
    store, published = store_of(32.0), PublishedEvents()
    whole_station = status(EvseKey("CP-A", 0), "Unavailable", connector_id=0)
    booted = device_model_pb2.DeviceModelEvent(station_id="CP-A", station_booted=device_model_pb2.StationBooted())
    elsewhere = status(EvseKey("ELSEWHERE", 1), "Faulted")
    await ObserveSites(store, published).after_writes([status(A, "Faulted"), whole_station, booted, elsewhere], None)
    [event] = published.events
    assert (event_key(event), event.station_id, event.site_observed.status) == ("S", "CP-A", status(A, "Faulted"))
    assert event.event_id == site_status_observed("S", status(A, "Faulted")).event_id
    assert event.event_id != site_status_observed("S", status(A, "Charging")).event_id


async def test_a_faulted_evse_is_paused_and_its_share_goes_to_the_others_until_it_charges_again() -> None:
    store = store_of(32.0)
    loops, pusher = loops_of(store)
    await loops.after_writes([site_observed("S", started(A, "tx-a")), site_observed("S", started(B, "tx-b"))], None)
    assert store.installed["S"] == {A: 16.0, B: 16.0}
    pusher.log.clear()
    await loops.after_writes([site_status_observed("S", status(A, "Faulted"))], None)
    assert store.installed["S"] == {A: 0.0, B: 32.0}
    assert [entry for entry in pusher.log if entry[0] == "sent"] == [("sent", "CP-A", 0.0), ("sent", "CP-B", 32.0)]
    assert store.sessions["S"][A][0].out_of_service
    restarted, _ = loops_of(store)
    await restarted.after_writes([site_status_observed("S", status(A, "Unavailable"))], None)
    assert store.sequences["S"] == 3
    pusher.log.clear()
    await loops.after_writes([site_status_observed("S", status(A, "Charging"))], None)
    assert store.installed["S"] == {A: 16.0, B: 16.0}
    assert [entry for entry in pusher.log if entry[0] == "sent"] == [("sent", "CP-B", 16.0), ("sent", "CP-A", 16.0)]
    assert not store.sessions["S"][A][0].out_of_service


async def test_an_incomplete_recompute_is_retried_after_a_backoff_under_new_request_keys() -> None:
    store = store_of(32.0)
    now = [100.0]
    retries = SiteRetries(initial_s=2.0, maximum_s=8.0, clock=lambda: now[0], rand=lambda: 1.0)
    refusing = RecordingPusher(refuse=frozenset({"CP-B"}))
    loops, pusher = loops_of(store, refusing, retries)
    await loops.after_writes([site_observed("S", started(A, "tx-a")), site_observed("S", started(B, "tx-b"))], None)
    assert store.installed["S"] == {A: 16.0}
    assert retries.pending == {"S": 102.0}
    now[0] = 102.0
    [due] = retries.take_due()
    await loops._retry(due)
    assert retries.pending == {"S": 106.0}
    pusher.refuse = frozenset()
    now[0] = 106.0
    await loops._retry(*retries.take_due())
    assert store.installed["S"] == {A: 16.0, B: 16.0}
    assert retries.pending == {}
    assert len(pusher.keys) == len(set(pusher.keys))
    assert pusher.keys[-1] == "tx-profile:S:4:CP-B:1"


async def test_retries_run_when_due_and_stop_once_complete() -> None:
    store = store_of(32.0)
    retries = SiteRetries(initial_s=0.01, maximum_s=0.02)
    loops, pusher = loops_of(store, RecordingPusher(silent=frozenset({"CP-A"})), retries)
    await loops.after_writes([site_observed("S", started(A, "tx-a"))], None)
    assert "S" in retries.pending
    running = asyncio.create_task(loops.run_retries())

    async def sent() -> list[str]:
        return list(pusher.keys)

    async def enforced() -> tuple[dict[str, float], dict[EvseKey, float]]:
        return retries.pending, store.installed["S"]

    try:
        keys = await eventually(sent, lambda keys: len(keys) >= 3, timeout_s=5.0)
        assert len(keys) == len(set(keys)) and keys[0] == "tx-profile:S:1:CP-A:1"
        pusher.silent = frozenset()
        await eventually(enforced, lambda found: found == ({}, {A: 32.0}), timeout_s=5.0)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


class GatedPusher(RecordingPusher):
    """Holds every push until pushes of `together` stations are waiting at once (fails after a second)."""

    def __init__(self, together: int) -> None:
        super().__init__()
        self.together = together
        self.waiting: set[str] = set()
        self.met = asyncio.Event()

    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool | None:
        self.waiting.add(station_id)
        if len(self.waiting) >= self.together:
            self.met.set()
        await asyncio.wait_for(self.met.wait(), 1.0)
        return await super().push(station_id, evse_id, profile, request_key=request_key)


async def test_the_sites_of_a_batch_run_concurrently_and_each_site_s_events_in_order() -> None:
    c, d = EvseKey("CP-C", 1), EvseKey("CP-D", 1)
    store = InMemorySiteRepository(
        SiteDefinition(Site("S", 32.0), {key: Demand(key, active=False) for key in (A, B)}),
        SiteDefinition(Site("T", 20.0), {key: Demand(key, active=False) for key in (c, d)}),
    )
    pusher = GatedPusher(together=2)
    loops, _ = loops_of(store, pusher)
    batch = [
        site_observed("S", started(A, "tx-a")),
        site_observed("T", started(c, "tx-c")),
        site_observed("S", started(B, "tx-b")),
        site_observed("S", ended(A, "tx-a")),
        site_observed("T", started(d, "tx-d")),
    ]
    await loops.after_writes(batch, None)
    assert pusher.met.is_set()
    of_s = [key for key in pusher.keys if key.startswith("tx-profile:S:")]
    assert of_s == ["tx-profile:S:1:CP-A:1", "tx-profile:S:2:CP-A:1", "tx-profile:S:2:CP-B:1", "tx-profile:S:3:CP-B:1"]
    assert store.installed == {"S": {B: 32.0}, "T": {c: 10.0, d: 10.0}}


class CountingPusher(RecordingPusher):
    """Counts the pushes under way at once."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0
        self.most = 0

    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool | None:
        self.now += 1
        self.most = max(self.most, self.now)
        await asyncio.sleep(0.01)
        self.now -= 1
        return await super().push(station_id, evse_id, profile, request_key=request_key)


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_at_most_the_configured_number_of_sites_run_at_once(concurrency: int) -> None:
    keys = [EvseKey(f"CP-{n}", 1) for n in range(6)]
    store = InMemorySiteRepository(
        *(SiteDefinition(Site(f"S{n}", 32.0), {key: Demand(key, active=False)}) for n, key in enumerate(keys))
    )
    pusher = CountingPusher()
    manager = LoadManager(pusher, stack_level=1, min_raise_a=0.0, journal=store)
    retries = SiteRetries(initial_s=1.0, maximum_s=8.0)
    loops = RunSiteLoops(store, LoadLoop(manager, 2.0), pusher, stack_level=1, retries=retries, concurrency=concurrency)
    await loops.after_writes([site_observed(f"S{n}", started(key, f"tx-{n}")) for n, key in enumerate(keys)], None)
    assert pusher.most == concurrency
    assert all(store.installed[f"S{n}"] == {key: 32.0} for n, key in enumerate(keys))


async def test_the_connector_in_use_is_learnt_so_another_connector_s_unavailable_pauses_nothing() -> None:
    store = store_of(32.0)
    loops, pusher = loops_of(store)
    await loops.after_writes([site_observed("S", started(A, "tx-a"))], None)
    await loops.after_writes([site_status_observed("S", status(A, "Occupied", connector_id=2))], None)
    assert store.sessions["S"][A][0].connector_id == 2
    sent = list(pusher.keys)
    await loops.after_writes([site_status_observed("S", status(A, "Unavailable", connector_id=1))], None)
    assert pusher.keys == sent and store.installed["S"] == {A: 32.0}
    await loops.after_writes([site_status_observed("S", status(A, "Faulted", connector_id=2))], None)
    assert store.installed["S"] == {A: 0.0}
