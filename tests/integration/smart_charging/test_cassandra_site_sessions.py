"""The load loop's sessions in Cassandra (load/adapters/sites.py `save_session`): stored sessions come back with
the site's state (active, phases, cap, transaction, out of service, connector in use), an EVSE going idle forgets
its session, and so do an EVSE leaving the site and a deleted site; an unconfirmed enforced limit comes back as
unconfirmed until it is stored confirmed. In a keyspace of its own (the tables of schema.cql)."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from csms_kernel.infra.cassandra import CassandraSession
from csms_smart_charging.load.adapters.sites import CassandraSiteRepository
from csms_smart_charging.load.domain.config import SiteDefinition, parse_definition
from csms_smart_charging.load.domain.site import EvseKey

pytestmark = pytest.mark.integration


def _site(site_id: str, station: str, *evse_ids: int) -> SiteDefinition:
    evses = [{"station_id": station, "evse_id": evse_id, "min_a": 6, "max_a": 16} for evse_id in evse_ids]
    return parse_definition(site_id, {"limit": 32, "evses": evses})


async def test_sessions_are_resumed_with_the_site_and_forgotten_when_idle_or_gone(
    session: CassandraSession, keyspace: str
) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    station, site_id = f"IT-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    one, two = EvseKey(station, 1), EvseKey(station, 2)
    site = _site(site_id, station, 1, 2)
    await sites.put(site)
    charging = dataclasses.replace(
        site.evses[one], active=True, phases=1, cap_a=9.5, since=3.0, out_of_service=True, connector_id=2
    )
    await sites.save_session(site_id, charging, "tx-1")
    await sites.save_session(site_id, dataclasses.replace(site.evses[two], active=True), "tx-2")
    state = await sites.load_state(site_id)
    assert state is not None
    assert state.demands[one] == charging and state.demands[two].active
    assert state.transactions == {one: "tx-1", two: "tx-2"}

    await sites.save_session(site_id, site.evses[two], None)
    state = await sites.load_state(site_id)
    assert state is not None and state.transactions == {one: "tx-1"} and not state.demands[two].active

    await sites.put(_site(site_id, station, 2))
    state = await sites.load_state(site_id)
    assert state is not None and state.transactions == {}
    await sites.put(site)
    state = await sites.load_state(site_id)
    assert state is not None and state.transactions == {} and not state.demands[one].active

    await sites.save_session(site_id, charging, "tx-1")
    await sites.delete(site_id)
    await sites.put(site)
    state = await sites.load_state(site_id)
    assert state is not None and state.transactions == {}


async def test_an_unconfirmed_limit_comes_back_unconfirmed_until_confirmed(
    session: CassandraSession, keyspace: str
) -> None:
    sites = CassandraSiteRepository(session, keyspace)
    station, site_id = f"IT-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    one, two = EvseKey(station, 1), EvseKey(station, 2)
    await sites.put(_site(site_id, station, 1, 2))
    await sites.save_installed(site_id, one, 16.0, unconfirmed=True)
    await sites.save_installed(site_id, two, 8.0)
    state = await sites.load_state(site_id)
    assert state is not None and state.installed == {one: 16.0, two: 8.0} and state.unconfirmed == {one}
    await sites.save_installed(site_id, one, 16.0)
    state = await sites.load_state(site_id)
    assert state is not None and state.unconfirmed == set()
