"""Sites as messages and events: a SiteDefinition to and from its `Site` message (the stored and published
form), the site-keyed events of csms.smart_charging.events.v1 (SiteDefined, SiteLimitChanged, SiteDeleted: key
and `site_id` = the site, `station_id` empty), what a limit leaves of the EVSEs' minimums (which EVSEs the
allocator would pause), and the latest allocation as the load loop stored it. Pure, no I/O."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_smart_charging.domain.events import derived_id
from csms_smart_charging.load.domain.allocator import allocate
from csms_smart_charging.load.domain.config import SiteDefinition, minimum_sum
from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site, Unit
from csms_smart_charging.load.domain.state import SiteState

SITE_EVENTS = frozenset({"site_defined", "site_limit_changed", "site_deleted", "site_observed"})
"""The SmartChargingEvent cases keyed by site (the others are keyed by station)."""


def site_message(definition: SiteDefinition) -> smart_charging_pb2.Site:
    site = definition.site
    return smart_charging_pb2.Site(
        site_id=site.site_id,
        name=definition.name,
        limit=site.limit,
        unit=site.unit.value,
        voltage_v=site.voltage_v,
        idle_limit_a=site.idle_limit_a,
        groups=dict(site.groups),
        evses=[
            smart_charging_pb2.SiteEvse(
                station_id=evse.key.station_id,
                evse_id=evse.key.evse_id,
                phases=evse.phases,
                min_a=evse.min_a,
                max_a=evse.max_a,
                priority=evse.priority,
                group_id=evse.group_id or "",
            )
            for evse in definition.evses.values()
        ],
    )


def definition_of(message: smart_charging_pb2.Site) -> SiteDefinition:
    """The definition a `Site` message carries; BadSite when it does not hold one (the domain's checks)."""
    try:
        unit = Unit(message.unit)
    except ValueError:
        raise BadSite(f"unit must be A or W, got {message.unit!r}") from None
    site = Site(
        message.site_id,
        message.limit,
        unit,
        message.voltage_v,
        message.idle_limit_a,
        dict(message.groups),
    )
    evses = {
        EvseKey(evse.station_id, evse.evse_id): Demand(
            EvseKey(evse.station_id, evse.evse_id),
            active=False,
            phases=evse.phases,
            min_a=evse.min_a,
            max_a=evse.max_a,
            priority=evse.priority,
            group_id=evse.group_id or None,
        )
        for evse in message.evses
    }
    return SiteDefinition(site, evses, message.name)


def with_site_limit(definition: SiteDefinition, limit: float) -> SiteDefinition:
    """The definition with another limit (in its unit); BadSite for a limit that is not a finite number >= 0."""
    return dataclasses.replace(definition, site=dataclasses.replace(definition.site, limit=limit))


def _event(site_id: str, kind: str, at: datetime, **case: object) -> smart_charging_pb2.SmartChargingEvent:
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id(kind, site_id, at.isoformat()),
        site_id=site_id,
        recorded_at=timestamp(at),
        **case,  # type: ignore[arg-type]
    )


def site_defined(definition: SiteDefinition, at: datetime) -> smart_charging_pb2.SmartChargingEvent:
    message = smart_charging_pb2.SiteDefined(site=site_message(definition))
    return _event(definition.site_id, "site-defined", at, site_defined=message)


def site_limit_changed(
    definition: SiteDefinition, previous_limit: float, at: datetime
) -> smart_charging_pb2.SmartChargingEvent:
    message = smart_charging_pb2.SiteLimitChanged(
        limit=definition.site.limit, unit=definition.site.unit.value, previous_limit=previous_limit
    )
    return _event(definition.site_id, "site-limit-changed", at, site_limit_changed=message)


def site_deleted(site_id: str, at: datetime) -> smart_charging_pb2.SmartChargingEvent:
    return _event(site_id, "site-deleted", at, site_deleted=smart_charging_pb2.SiteDeleted())


def event_key(event: smart_charging_pb2.SmartChargingEvent) -> str:
    """The Kafka key of a smart-charging event: its site for a site event, else its station."""
    return event.site_id if event.WhichOneof("event") in SITE_EVENTS else event.station_id


def shortfall(definition: SiteDefinition, installed: Mapping[EvseKey, float]) -> smart_charging_pb2.SiteShortfall:
    """What the site's limit leaves of its EVSEs' minimums. The EVSEs with an enforced limit stored (charging at
    the last recompute) are taken as charging, the others as idle, and the allocator says which of them it
    would pause under this limit (by priority, then in definition order: the charging order is not stored)."""
    demands = [
        dataclasses.replace(evse, active=evse.key in installed, since=float(order))
        for order, evse in enumerate(definition.evses.values())
    ]
    allocation = allocate(definition.site, demands)
    needed = minimum_sum(definition)
    return smart_charging_pb2.SiteShortfall(
        minimum_sum=needed,
        below_minimums=definition.site.limit < needed,
        would_pause=[
            smart_charging_pb2.SiteEvseRef(station_id=key.station_id, evse_id=key.evse_id) for key in allocation.paused
        ],
    )


def allocation_message(definition: SiteDefinition, state: SiteState) -> smart_charging_pb2.SiteAllocation:
    """The latest allocation as stored: each member EVSE's enforced limit (none: idle or never recomputed), and
    their sum in the site's unit."""
    site = definition.site
    evses = []
    allocated = 0.0
    for evse in definition.evses.values():
        limit_a = state.installed.get(evse.key)
        if limit_a is not None:
            allocated += site.cost_per_ampere(evse.phases) * limit_a
        evses.append(
            smart_charging_pb2.EvseAllocation(
                station_id=evse.key.station_id,
                evse_id=evse.key.evse_id,
                enforced=limit_a is not None,
                limit_a=limit_a or 0.0,
                paused=limit_a is not None and limit_a == 0.0 and evse.min_a > 0.0,
                group_id=evse.group_id or "",
                phases=evse.phases,
            )
        )
    return smart_charging_pb2.SiteAllocation(
        site_id=site.site_id,
        sequence=state.sequence,
        limit=site.limit,
        unit=site.unit.value,
        evses=evses,
        allocated=allocated,
    )
