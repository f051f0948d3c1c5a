"""Load management's observations on csms.smart_charging.events.v1 (key and `site_id` = the site, docs/adr/0042):
a transaction event or a connector's status (device-model ConnectorStatusChanged) of an EVSE on a site, observed
for that site (`site_observed`, `site_status_observed`; `station_id` is the EVSE's station), and which site a
site-keyed event is for (`site_of_event`: the observations and the sites' own SiteDefined / SiteLimitChanged /
SiteDeleted). Ids derive from the observed event, so an observation published again is the same event. Pure."""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.domain.events import derived_id
from csms_smart_charging.load.domain.sites import SITE_EVENTS


def site_observed(site_id: str, event: transactions_pb2.TransactionEvent) -> smart_charging_pb2.SmartChargingEvent:
    kind = event.WhichOneof("event") or ""
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id("site-observed", site_id, event.station_id, event.message_id, kind, event.transaction_id),
        station_id=event.station_id,
        site_id=site_id,
        recorded_at=event.received_at,
        site_observed=smart_charging_pb2.SiteObserved(transaction=event),
    )


def site_status_observed(
    site_id: str, event: device_model_pb2.DeviceModelEvent
) -> smart_charging_pb2.SmartChargingEvent:
    changed = event.connector_status_changed
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id(
            "site-status-observed",
            site_id,
            event.station_id,
            event.message_id,
            str(changed.evse_id),
            str(changed.connector_id),
            changed.status,
        ),
        station_id=event.station_id,
        site_id=site_id,
        recorded_at=event.occurred_at,
        site_observed=smart_charging_pb2.SiteObserved(status=event),
    )


def site_of_event(event: smart_charging_pb2.SmartChargingEvent) -> str | None:
    """The site a site-keyed event is for; None for the station events of the topic."""
    if event.WhichOneof("event") not in SITE_EVENTS or not event.site_id:
        return None
    return event.site_id
