"""Sites as stored and published: definitions with names and checked ids, the Site message round trip, the
site-keyed events, the shortfall of a limit below the minimums (who the allocator would pause), the stored
allocation; and the in-memory repository keeping an EVSE on one site at most (the Cassandra adapter's contract,
tests/integration/smart_charging/test_cassandra_sites.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csms_smart_charging.load.domain.config import check_site_id, minimum_sum, parse_definition
from csms_smart_charging.load.domain.site import BadSite, EvseKey, Unit
from csms_smart_charging.load.domain.sites import (
    allocation_message,
    definition_of,
    event_key,
    shortfall,
    site_defined,
    site_deleted,
    site_limit_changed,
    site_message,
    with_site_limit,
)
from csms_smart_charging.load.ports import EvseTaken, InvalidPageToken
from kit.fakes.load import InMemorySiteRepository

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
BODY = {
    "name": "North depot",
    "limit": 32,
    "groups": {"row-a": 20},
    "evses": [
        {"station_id": "CP-1", "evse_id": 1, "min_a": 6, "max_a": 16, "priority": 2, "group_id": "row-a"},
        {"station_id": "CP-1", "evse_id": 2, "phases": 1, "min_a": 10},
        {"station_id": "CP-2", "evse_id": 1, "min_a": 8},
    ],
}


def test_a_definition_keeps_its_name_and_round_trips_through_its_message() -> None:
    definition = parse_definition("north-1", BODY)
    assert definition.name == "North depot"
    assert list(definition.evses) == [EvseKey("CP-1", 1), EvseKey("CP-1", 2), EvseKey("CP-2", 1)]
    message = site_message(definition)
    assert (message.unit, message.groups["row-a"], message.evses[1].phases) == ("A", 20.0, 1)
    assert message.evses[0].group_id == "row-a" and message.evses[1].group_id == ""
    assert definition_of(message) == definition
    assert definition.state().demands == dict(definition.evses)


@pytest.mark.parametrize("site_id", ["", "-x", "a b", "a/b", "x" * 65, "é"])
def test_a_site_id_that_cannot_go_in_a_url_is_refused(site_id: str) -> None:
    with pytest.raises(BadSite, match="site id must be"):
        parse_definition(site_id, BODY)


@pytest.mark.parametrize(
    ("body", "message"),
    [({**BODY, "name": 5}, "name must be a string"), ([1], "must be an object")],
)
def test_a_bad_name_or_body_is_refused(body: object, message: str) -> None:
    with pytest.raises(BadSite, match=message):
        parse_definition("S", body)  # type: ignore[arg-type]


def test_a_stored_message_with_an_unknown_unit_is_refused_by_field() -> None:
    message = site_message(parse_definition("S", BODY))
    message.unit = "kW"
    with pytest.raises(BadSite, match="unit must be A or W"):
        definition_of(message)


def test_ids_are_checked() -> None:
    assert check_site_id("Depot_7.b-2") == "Depot_7.b-2"


def test_minimums_add_up_in_the_site_unit() -> None:
    assert minimum_sum(parse_definition("S", BODY)) == 24.0
    watts = parse_definition("S", {**BODY, "unit": "W", "limit": 20_000, "groups": {"row-a": 10_000}})
    assert watts.site.unit is Unit.WATT
    assert minimum_sum(watts) == pytest.approx(230 * (3 * 6 + 1 * 10 + 3 * 8))


def test_site_events_are_keyed_by_site_and_carry_what_changed() -> None:
    definition = parse_definition("S", BODY)
    defined = site_defined(definition, AT)
    assert (defined.site_id, defined.station_id, event_key(defined)) == ("S", "", "S")
    assert definition_of(defined.site_defined.site) == definition
    changed = site_limit_changed(with_site_limit(definition, 20.0), 32.0, AT)
    assert (changed.site_limit_changed.limit, changed.site_limit_changed.previous_limit) == (20.0, 32.0)
    assert changed.site_limit_changed.unit == "A" and event_key(changed) == "S"
    deleted = site_deleted("S", AT)
    assert deleted.WhichOneof("event") == "site_deleted" and event_key(deleted) == "S"
    assert len({defined.event_id, changed.event_id, deleted.event_id}) == 3
    assert site_defined(definition, AT).event_id == defined.event_id


def test_a_limit_below_the_minimums_reports_who_would_be_paused() -> None:
    definition = with_site_limit(parse_definition("S", BODY), 15.0)
    charging = {EvseKey("CP-1", 1): 6.0, EvseKey("CP-2", 1): 9.0}
    report = shortfall(definition, charging)
    assert (report.minimum_sum, report.below_minimums) == (24.0, True)
    # 15 A: CP-1/1 (priority 2) takes its 6 A, CP-2/1 its 8 A; CP-1/2 is idle (nothing enforced), not paused.
    assert [(ref.station_id, ref.evse_id) for ref in report.would_pause] == []
    report = shortfall(with_site_limit(definition, 10.0), charging)
    assert [(ref.station_id, ref.evse_id) for ref in report.would_pause] == [("CP-2", 1)]
    enough = shortfall(with_site_limit(definition, 40.0), charging)
    assert (enough.below_minimums, list(enough.would_pause)) == (False, [])


def test_the_stored_allocation_shows_enforced_paused_and_idle_evses() -> None:
    definition = parse_definition("S", BODY)
    state = definition.state()
    state.installed = {EvseKey("CP-1", 1): 12.5, EvseKey("CP-1", 2): 0.0}
    state.sequence = 7
    message = allocation_message(definition, state)
    assert (message.sequence, message.limit, message.unit, message.allocated) == (7, 32.0, "A", 12.5)
    rows = [(e.station_id, e.evse_id, e.enforced, e.limit_a, e.paused) for e in message.evses]
    assert rows == [("CP-1", 1, True, 12.5, False), ("CP-1", 2, True, 0.0, True), ("CP-2", 1, False, 0.0, False)]


async def test_the_fake_repository_keeps_an_evse_on_one_site() -> None:
    sites = InMemorySiteRepository()
    first = parse_definition("A", BODY)
    assert await sites.put(first) is None
    other = parse_definition("B", {"limit": 10, "evses": [{"station_id": "CP-2", "evse_id": 1}]})
    with pytest.raises(EvseTaken, match="EVSE CP-2/1 already belongs to site 'A'"):
        await sites.put(other)
    assert await sites.site_of(EvseKey("CP-2", 1)) == "A"
    smaller = parse_definition("A", {**BODY, "evses": BODY["evses"][:2]})  # type: ignore[index]
    await sites.save_installed("A", EvseKey("CP-2", 1), 8.0)
    assert await sites.put(smaller) == first
    assert await sites.put(other) is None
    assert await sites.site_of(EvseKey("CP-2", 1)) == "B"
    state = await sites.load_state("A")
    assert state is not None and state.installed == {}
    assert [await sites.next_sequence("A") for _ in range(2)] == [1, 2]
    assert await sites.set_limit("A", 5.0) == (with_site_limit(smaller, 5.0), 32.0)
    page, token = await sites.list(1, None)
    assert ([s.site_id for s in page], token) == (["A"], "A")
    page, token = await sites.list(1, token)
    assert ([s.site_id for s in page], token) == (["B"], None)
    with pytest.raises(InvalidPageToken):
        await sites.list(1, "not a token")
    assert await sites.delete("A") is not None
    assert await sites.site_of(EvseKey("CP-1", 1)) is None
    assert await sites.delete("A") is None and await sites.set_limit("A", 1.0) is None
