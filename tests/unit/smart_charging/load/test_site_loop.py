"""Load management's consumers over fakes: the observer re-keys the transaction events of EVSEs on a site by the
site; the site loop recomputes each site from its stored state, stores sessions, enforced limits and recompute
numbers, and resumes after a restart without reusing a request key; a batch applied again sends nothing new."""

from __future__ import annotations

from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.app.loop import LoadLoop
from csms_smart_charging.load.app.manager import LoadManager
from csms_smart_charging.load.app.observer import ObserveSites
from csms_smart_charging.load.app.retries import SiteRetries
from csms_smart_charging.load.app.site_loop import RunSiteLoops
from csms_smart_charging.load.domain.config import SiteDefinition
from csms_smart_charging.load.domain.site import Demand, EvseKey, Site
from csms_smart_charging.load.domain.site_events import site_observed
from csms_smart_charging.load.domain.sites import event_key, site_defined, site_limit_changed
from kit.builders.smart_charging import NOW
from kit.fakes.load import InMemorySiteRepository, RecordingPusher
from kit.fakes.smart_charging import PublishedEvents

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
