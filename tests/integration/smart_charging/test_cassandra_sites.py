"""Sites in Cassandra (load/adapters/sites.py): a definition round trip, listing by pages, an EVSE on one site at
most (claimed, refused to another site, freed when the site drops it or is deleted, a stale claim taken over),
limits set alone, the loop's state (enforced limits, recompute numbers never reused, even after a delete); and
SiteAdmin publishing each change on csms.smart_charging.events.v1 keyed by the site id, in order, after storing it
(a refused put publishes nothing). In a keyspace of its own (the tables of schema.cql)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.outbox.station_events import KafkaStationEvents
from csms_smart_charging.load.adapters.sites import STALE_CLAIM_S, CassandraSiteRepository
from csms_smart_charging.load.app.sites import SiteAdmin
from csms_smart_charging.load.domain.config import SiteDefinition, parse_definition
from csms_smart_charging.load.domain.site import EvseKey
from csms_smart_charging.load.domain.sites import event_key
from csms_smart_charging.load.ports import EvseTaken, InvalidPageToken
from infra_fixtures import Infra
from kit.kafka_log import read_until_end_marks

pytestmark = pytest.mark.integration


def _site(site_id: str, station: str, *evse_ids: int, limit: float = 100.0) -> SiteDefinition:
    return parse_definition(
        site_id,
        {
            "name": f"Depot {site_id}",
            "limit": limit,
            "groups": {"north": 64},
            "idle_limit_a": 0,
            "evses": [
                {"station_id": station, "evse_id": evse_id, "min_a": 6, "max_a": 16, "priority": evse_id}
                | ({"group_id": "north"} if evse_id == 1 else {})
                for evse_id in evse_ids
            ],
        },
    )


async def test_a_site_round_trips_and_owns_its_evses(session: CassandraSession, keyspace: str) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    station = f"IT-{uuid.uuid4().hex[:8]}"
    site = _site(f"S-{uuid.uuid4().hex[:8]}", station, 1, 2)

    assert await sites.put(site) is None
    assert await sites.get(site.site_id) == site
    assert await sites.site_of(EvseKey(station, 1)) == site.site_id
    assert await sites.site_of(EvseKey(station, 9)) is None

    other = _site(f"O-{uuid.uuid4().hex[:8]}", station, 3, 2)
    with pytest.raises(EvseTaken, match=f"EVSE {station}/2 already belongs to site '{site.site_id}'"):
        await sites.put(other)
    assert await sites.get(other.site_id) is None
    assert await sites.site_of(EvseKey(station, 3)) is None  # its claim was given back

    smaller = _site(site.site_id, station, 1)
    assert await sites.put(smaller) == site
    assert await sites.site_of(EvseKey(station, 2)) is None
    assert await sites.put(other) is None
    assert await sites.site_of(EvseKey(station, 2)) == other.site_id

    assert await sites.delete(site.site_id) == smaller
    assert await sites.get(site.site_id) is None
    assert await sites.site_of(EvseKey(station, 1)) is None
    assert await sites.delete(site.site_id) is None


async def test_a_stale_claim_left_by_a_failed_put_is_taken_over_a_fresh_one_is_not(
    session: CassandraSession, keyspace: str
) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    station = f"IT-{uuid.uuid4().hex[:8]}"
    claim = f"INSERT INTO {keyspace}.site_evses (station_id, evse_id, site_id) VALUES (%s, %s, %s) USING TIMESTAMP %s"
    now_us = int(time.time() * 1e6)
    await session.execute(claim, (station, 1, "CRASHED", now_us - int((STALE_CLAIM_S + 5) * 1e6)))
    await session.execute(claim, (station, 2, "UNDER-WAY", now_us))
    site = _site(f"S-{uuid.uuid4().hex[:8]}", station, 1)
    await sites.put(site)
    assert await sites.site_of(EvseKey(station, 1)) == site.site_id
    with pytest.raises(EvseTaken, match="site 'UNDER-WAY'"):  # a put still under way keeps its claim
        await sites.put(_site(site.site_id, station, 1, 2))


async def test_concurrent_puts_claiming_one_evse_leave_it_on_one_site(session: CassandraSession, keyspace: str) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    station = f"IT-{uuid.uuid4().hex[:8]}"
    first, second = (_site(f"{name}-{uuid.uuid4().hex[:8]}", station, 1) for name in ("A", "B"))
    outcomes = await asyncio.gather(sites.put(first), sites.put(second), return_exceptions=True)
    assert sum(isinstance(outcome, EvseTaken) for outcome in outcomes) == 1
    owner = await sites.site_of(EvseKey(station, 1))
    stored = [site for site in (first, second) if await sites.get(site.site_id) is not None]
    assert [site.site_id for site in stored] == [owner]


async def test_a_limit_is_set_alone_and_never_brings_a_deleted_site_back(
    session: CassandraSession, keyspace: str
) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    site = _site(f"S-{uuid.uuid4().hex[:8]}", f"IT-{uuid.uuid4().hex[:8]}", 1, limit=100)
    await sites.put(site)
    changed = await sites.set_limit(site.site_id, 12.5)
    assert changed is not None
    assert (changed[0].site.limit, changed[1]) == (12.5, 100.0)
    stored = await sites.get(site.site_id)
    assert stored is not None and stored.site.limit == 12.5
    await sites.delete(site.site_id)
    assert await sites.set_limit(site.site_id, 50) is None
    assert await sites.get(site.site_id) is None


async def test_sites_are_listed_by_pages(session: CassandraSession, keyspace: str) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    ids = {f"L-{uuid.uuid4().hex[:8]}" for _ in range(5)}
    for site_id in ids:
        await sites.put(_site(site_id, f"IT-{uuid.uuid4().hex[:8]}", 1))
    seen: list[str] = []
    token: str | None = None
    while True:
        page, token = await sites.list(2, token)
        assert len(page) <= 2
        seen += [site.site_id for site in page]
        if token is None:
            break
    assert ids <= set(seen)
    assert len(seen) == len(set(seen))
    with pytest.raises(InvalidPageToken):
        await sites.list(2, "'; DROP")


async def test_the_loop_state_survives_and_numbers_are_never_reused(session: CassandraSession, keyspace: str) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    station = f"IT-{uuid.uuid4().hex[:8]}"
    site = _site(f"S-{uuid.uuid4().hex[:8]}", station, 1, 2)
    await sites.put(site)
    assert [await sites.next_sequence(site.site_id) for _ in range(3)] == [1, 2, 3]
    await sites.save_installed(site.site_id, EvseKey(station, 1), 16.0)
    await sites.save_installed(site.site_id, EvseKey(station, 2), 0.0)
    state = await sites.load_state(site.site_id)
    assert state is not None
    assert (state.sequence, state.installed) == (3, {EvseKey(station, 1): 16.0, EvseKey(station, 2): 0.0})
    assert not any(demand.active for demand in state.demands.values())

    await sites.save_installed(site.site_id, EvseKey(station, 2), None)
    await sites.put(_site(site.site_id, station, 2))  # EVSE 1 leaves the site: its limit is forgotten
    state = await sites.load_state(site.site_id)
    assert state is not None and state.installed == {}

    await sites.save_installed(site.site_id, EvseKey(station, 2), 10.0)
    await sites.delete(site.site_id)
    assert await sites.load_state(site.site_id) is None
    await sites.put(site)
    state = await sites.load_state(site.site_id)
    assert state is not None and (state.sequence, state.installed) == (3, {})
    numbers = await asyncio.gather(*(sites.next_sequence(site.site_id) for _ in range(4)))
    assert sorted(numbers) == [4, 5, 6, 7]


@pytest.fixture
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    started = make_producer(infra.kafka_bootstrap, f"it-sites-{uuid.uuid4().hex[:8]}")
    await started.start()
    yield started
    await started.stop()


async def test_site_changes_are_published_in_order_under_the_site_key(
    infra: Infra,
    session: CassandraSession,
    keyspace: str,
    producer: AIOKafkaProducer,
) -> None:
    run = uuid.uuid4().hex[:8]
    site_id, other_id, station = f"S-{run}", f"O-{run}", f"IT-{run}"
    events = KafkaStationEvents(
        producer, topics.SMART_CHARGING_EVENTS, smart_charging_pb2.SmartChargingEvent, event_key
    )
    admin = SiteAdmin(CassandraSiteRepository(session, keyspace), events, lambda: datetime.now(UTC))
    body = {"name": "IT", "limit": 32, "evses": [{"station_id": station, "evse_id": 1, "min_a": 10}]}

    await admin.put(site_id, body)
    with pytest.raises(EvseTaken):
        await admin.put(other_id, body)
    answer = await admin.set_limit(site_id, 8)
    assert answer.shortfall.below_minimums and answer.shortfall.minimum_sum == 10
    await admin.delete(site_id)

    read = await read_until_end_marks(
        infra.kafka_bootstrap, producer, topics.SMART_CHARGING_EVENTS, [site_id, other_id], f"it-sites-{run}"
    )
    assert read[other_id] == []
    published = [smart_charging_pb2.SmartChargingEvent.FromString(record.value) for record in read[site_id]]
    assert [event.WhichOneof("event") for event in published] == ["site_defined", "site_limit_changed", "site_deleted"]
    assert {(event.site_id, event.station_id) for event in published} == {(site_id, "")}
    assert published[0].site_defined.site.evses[0].station_id == station
    assert (published[1].site_limit_changed.limit, published[1].site_limit_changed.previous_limit) == (8.0, 32.0)
    assert all(
        dict(record.headers)["event_type"] == b"csms.smart_charging.v1.SmartChargingEvent" for record in read[site_id]
    )
