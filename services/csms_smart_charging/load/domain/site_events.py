"""Load management's site-keyed events on csms.smart_charging.events.v1 (key = site id, docs/adr/0042): a
transaction event of an EVSE on a site, observed for that site (`site_observed`), and which site an event is for
(`site_of_event`: the observations and the sites' own SiteDefined / SiteLimitChanged / SiteDeleted). Ids derive
from the transaction event, so an observation published again is the same event. Pure."""

from __future__ import annotations

from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.domain.events import SITE_EVENTS, derived_id


def site_observed(site_id: str, event: transactions_pb2.TransactionEvent) -> smart_charging_pb2.SmartChargingEvent:
    kind = event.WhichOneof("event") or ""
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id("site-observed", site_id, event.station_id, event.message_id, kind, event.transaction_id),
        station_id=event.station_id,
        recorded_at=event.received_at,
        site_observed=smart_charging_pb2.SiteObserved(site_id=site_id, transaction=event),
    )


def observed_site(event: smart_charging_pb2.SmartChargingEvent) -> str:
    """The key an observation is published under: its site id."""
    return event.site_observed.site_id


def site_of_event(event: smart_charging_pb2.SmartChargingEvent) -> str | None:
    """The site a site-keyed event is for; None for the station events of the topic."""
    which = event.WhichOneof("event")
    if which not in SITE_EVENTS:
        return None
    if which == "site_observed":
        return event.site_observed.site_id
    return str(getattr(event, "site_id", "")) or None
