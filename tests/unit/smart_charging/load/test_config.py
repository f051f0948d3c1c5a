"""Site definitions as operators write them: read into a site with idle EVSEs, bad input refused by field."""

from __future__ import annotations

from typing import Any

import pytest

from csms_smart_charging.load.domain.config import parse_site
from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site, Unit


def test_a_site_with_groups_and_evses_is_read_with_defaults() -> None:
    state = parse_site(
        "DEPOT",
        {
            "limit": 44_000,
            "unit": "W",
            "groups": {"north": 22_000},
            "evses": [
                {"station_id": "CP-1", "evse_id": 1, "group_id": "north", "priority": 2},
                {"station_id": "CP-1", "evse_id": 2, "phases": 1, "min_a": 8, "max_a": 16},
            ],
        },
    )
    assert state.site == Site("DEPOT", 44_000.0, Unit.WATT, 230.0, 0.0, {"north": 22_000.0})
    assert list(state.demands.values()) == [
        Demand(EvseKey("CP-1", 1), active=False, priority=2, group_id="north"),
        Demand(EvseKey("CP-1", 2), active=False, phases=1, min_a=8.0, max_a=16.0),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "limit is required"),
        ({"limit": -5}, "limit must be a finite number >= 0"),
        ({"limit": "200"}, "limit must be a number"),
        ({"limit": 200, "unit": "kW"}, "unit must be A or W"),
        ({"limit": 200, "colour": "red"}, "unknown field(s) colour"),
        ({"limit": 200, "evses": [{"station_id": "CP-1", "evse_id": 1, "group_id": "g"}]}, "unknown group 'g'"),
        ({"limit": 200, "evses": [{"station_id": "CP-1", "evse_id": 0}]}, "evses[0].evse_id must be >= 1"),
        ({"limit": 200, "evses": [{"station_id": "", "evse_id": 1}]}, "evses[0].station_id"),
        ({"limit": 200, "evses": [{"station_id": "A", "evse_id": 1}] * 2}, "evses[1]: EVSE A/1 listed twice"),
        ({"limit": 200, "evses": [{"station_id": "A", "evse_id": 1, "min_a": 10, "max_a": 6}]}, "max_a 6.0 is below"),
        ({"limit": 200, "evses": [{"station_id": "A", "evse_id": 1, "phases": 4}]}, "phases must be 1, 2 or 3"),
    ],
)
def test_bad_definitions_are_refused_naming_the_field(body: dict[str, Any], message: str) -> None:
    with pytest.raises(BadSite) as error:
        parse_site("S", body)
    assert message in str(error.value)
