"""The observer (a policy of the consumer group `smart_charging.load.observer`, reading csms.transactions.events.v1
and csms.device_model.events.v1): each event load management uses of an EVSE that is on a site is published again
on csms.smart_charging.events.v1 under the site's id, so that one instance, the one holding the site's partition of
that topic, runs the site's recomputes (both topics are keyed by station: a site's stations are spread over
partitions). Used: a session started or ended, a Current.Import sample or a 2.x chargingState change (SiteObserved
`transaction`), a connector's status (SiteObserved `status`, the device-model event as it was). An event that
names no EVSE (a 1.6 StopTransaction, a 2.x TransactionEvent without its evse) goes to the site of the station's
EVSE 1, where the site loop finds the EVSE by its transaction; the status of a whole 1.6 charge point (connector 0)
is not used. At least once: a batch applied again publishes the same events again (same ids), which the site
loop finds changing nothing. Side effects: the site lookups (Cassandra) and the publisher (Kafka)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import partial

from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.domain.sessions import Observation, observe, observe_status
from csms_smart_charging.load.domain.site import EvseKey
from csms_smart_charging.load.domain.site_events import site_observed, site_status_observed
from csms_smart_charging.load.ports import SiteRepository
from csms_smart_charging.ports import SmartChargingEventPublisher


def _lookup(key: EvseKey) -> EvseKey:
    return EvseKey(key.station_id, 1) if key.evse_id == 0 else key


Republish = Callable[[str], smart_charging_pb2.SmartChargingEvent]


def _observed(event: Message) -> tuple[Observation, Republish] | None:
    """The observation in an event, and how it is published for a site; None for one load management ignores."""
    if isinstance(event, transactions_pb2.TransactionEvent):
        observation = observe(event)
        return None if observation is None else (observation, partial(site_observed, event=event))
    if isinstance(event, device_model_pb2.DeviceModelEvent):
        observation = observe_status(event)
        return None if observation is None else (observation, partial(site_status_observed, event=event))
    return None


class ObserveSites:
    def __init__(self, sites: SiteRepository, events: SmartChargingEventPublisher) -> None:
        self._sites = sites
        self._events = events

    async def after_writes(self, events: Sequence[Message], state: None) -> None:
        observed = [(_lookup(seen[0].key), seen[1]) for event in events if (seen := _observed(event)) is not None]
        keys = sorted({key for key, _ in observed})
        sites = dict(zip(keys, await asyncio.gather(*(self._sites.site_of(key) for key in keys)), strict=True))
        found = [republish(site_id) for key, republish in observed if (site_id := sites[key]) is not None]
        if found:
            await self._events.publish(found)
