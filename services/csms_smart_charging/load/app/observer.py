"""The observer of csms.transactions.events.v1 (a policy of the consumer group `smart_charging.load.observer`):
each transaction event load management uses (a session started or ended, a Current.Import sample) of an EVSE that
is on a site is published again on csms.smart_charging.events.v1 under the site's id, so that one instance, the
one holding the site's partition of that topic, runs the site's recomputes (transaction events are keyed by
station: a site's stations are spread over partitions). An event that names no EVSE (a 1.6 StopTransaction, a 2.x
TransactionEvent without its evse) goes to the site of the station's EVSE 1, where the site loop finds the EVSE by
its transaction. At least once: a batch applied again publishes the same
events again (same ids), which the site loop finds changing nothing. Side effects: the site lookups (Cassandra)
and the publisher (Kafka)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.domain.sessions import observe
from csms_smart_charging.load.domain.site import EvseKey
from csms_smart_charging.load.domain.site_events import site_observed
from csms_smart_charging.load.ports import SiteRepository
from csms_smart_charging.ports import SmartChargingEventPublisher


def _lookup(key: EvseKey) -> EvseKey:
    return EvseKey(key.station_id, 1) if key.evse_id == 0 else key


class ObserveSites:
    def __init__(self, sites: SiteRepository, events: SmartChargingEventPublisher) -> None:
        self._sites = sites
        self._events = events

    async def after_writes(self, events: Sequence[transactions_pb2.TransactionEvent], state: None) -> None:
        observed = [
            (event, _lookup(observation.key)) for event in events if (observation := observe(event)) is not None
        ]
        keys = sorted({key for _, key in observed})
        sites = dict(zip(keys, await asyncio.gather(*(self._sites.site_of(key) for key in keys)), strict=True))
        found = [site_observed(site_id, event) for event, key in observed if (site_id := sites[key]) is not None]
        if found:
            await self._events.publish(found)
