"""Load-management sites over HTTP: definitions reach SmartChargingService as JSON with the defaults filled in, the
answers come back with the shortfall, limits and allocations translate, listing pages with cursors, scopes apply,
bad input is 422 before the service is called and the service's refusals keep their meaning (409, 404, 422)."""

from __future__ import annotations

import json

import grpc
import pytest

from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms_api.domain.keys import Scope
from kit.builders.api import Api

SITE = {
    "name": "Depot",
    "limit": 63,
    "groups": {"row-a": 32},
    "evses": [
        {"station_id": "CP-1", "evse_id": 1, "group_id": "row-a", "priority": 2},
        {"station_id": "CP-2", "evse_id": 1, "phases": 1, "min_a": 8, "max_a": 16},
    ],
}


async def test_a_site_is_defined_with_defaults_and_answered_with_its_shortfall(api: Api) -> None:
    api.smart_charging.shortfall = sc.SiteShortfall(
        minimum_sum=14, below_minimums=False, would_pause=[sc.SiteEvseRef(station_id="CP-2", evse_id=1)]
    )
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.put("/api/v1/sites/depot-1", json=SITE)
    assert answer.status_code == 200, answer.text
    [(site_id, sent)] = api.smart_charging.requests("put_site")
    assert site_id == "depot-1"
    assert json.loads(sent) == {
        "name": "Depot",
        "limit": 63.0,
        "unit": "A",
        "voltage_v": 230.0,
        "idle_limit_a": 0.0,
        "groups": {"row-a": 32.0},
        "evses": [
            {"station_id": "CP-1", "evse_id": 1, "phases": 3, "min_a": 6.0, "max_a": 32.0, "priority": 2,
             "group_id": "row-a"},
            {"station_id": "CP-2", "evse_id": 1, "phases": 1, "min_a": 8.0, "max_a": 16.0, "priority": 1},
        ],
    }  # fmt: skip
    body = answer.json()
    assert body["site"]["site_id"] == "depot-1"
    assert body["site"]["evses"][1]["group_id"] is None
    assert body["shortfall"] == {"minimum_sum": 14.0, "below_minimums": False, "would_pause": ["CP-2/1"]}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/sites/depot", {**SITE, "limit": -1}, "body.limit"),
        ("/api/v1/sites/depot", {**SITE, "unit": "kW"}, "body.unit"),
        ("/api/v1/sites/depot", {**SITE, "colour": "red"}, "body.colour"),
        ("/api/v1/sites/depot", {**SITE, "evses": [{"station_id": "CP-1", "evse_id": 0}]}, "body.evses.0.evse_id"),
        ("/api/v1/sites/a%20b", SITE, "path.site_id"),
        ("/api/v1/sites/depot/limit", {"limit": "lots"}, "body.limit"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_never_reaches_the_service(
    api: Api, path: str, body: object, field: str
) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.put(path, json=body)
    assert answer.status_code == 422, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert api.smart_charging.calls == []


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.FAILED_PRECONDITION, 409),
        (grpc.StatusCode.INVALID_ARGUMENT, 422),
        (grpc.StatusCode.UNAVAILABLE, 503),
    ],
)
async def test_the_service_refusal_keeps_its_meaning(api: Api, code: grpc.StatusCode, status: int) -> None:
    api.smart_charging.fail("put_site", code, "EVSE CP-1/1 already belongs to site 'other'")
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.put("/api/v1/sites/depot", json=SITE)
    assert answer.status_code == status
    if status != 503:
        assert "CP-1/1 already belongs to site 'other'" in answer.json()["detail"]


async def test_a_limit_change_reaches_the_service_and_an_unknown_site_is_404(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        assert (await client.put("/api/v1/sites/depot", json=SITE)).status_code == 200
        answer = await client.put("/api/v1/sites/depot/limit", json={"limit": 40, "unit": "A"})
        missing = await client.put("/api/v1/sites/nowhere/limit", json={"limit": 40})
    assert answer.status_code == 200, answer.text
    assert answer.json()["site"]["limit"] == 40.0
    assert api.smart_charging.requests("set_site_limit")[0] == sc.SetSiteLimitRequest(
        site_id="depot", limit=40, unit="A"
    )
    assert missing.status_code == 404
    assert missing.json()["detail"].endswith("no site 'nowhere'")


async def test_sites_are_read_listed_by_pages_and_deleted(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        for site_id in ("a", "b", "c"):
            await client.put(f"/api/v1/sites/{site_id}", json=SITE)
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/sites", params={"limit": 2})).json()
        second = (await client.get("/api/v1/sites", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        shown = await client.get("/api/v1/sites/b")
    assert [s["site_id"] for s in first["items"] + second["items"]] == ["a", "b", "c"]
    assert second["next_cursor"] is None
    assert shown.json()["site"]["name"] == "Depot"
    async with await api.as_(Scope.OPERATE) as client:
        assert (await client.delete("/api/v1/sites/b")).status_code == 204
        assert (await client.delete("/api/v1/sites/b")).status_code == 404
        assert (await client.get("/api/v1/sites/b")).status_code == 404


async def test_the_allocation_shows_enforced_idle_and_paused_evses(api: Api) -> None:
    api.smart_charging.allocations["depot"] = sc.SiteAllocation(
        site_id="depot",
        sequence=4,
        limit=20,
        unit="A",
        allocated=20,
        evses=[
            sc.EvseAllocation(station_id="CP-1", evse_id=1, enforced=True, limit_a=20, phases=3),
            sc.EvseAllocation(station_id="CP-2", evse_id=1, enforced=True, limit_a=0, paused=True, phases=1),
            sc.EvseAllocation(station_id="CP-3", evse_id=1, phases=3, group_id="row-a"),
        ],
    )
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/sites/depot/allocation")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["sequence"], body["allocated"], body["unit"]) == (4, 20.0, "A")
    assert [(e["limit_a"], e["paused"], e["group_id"]) for e in body["evses"]] == [
        (20.0, False, None),
        (0.0, True, None),
        (None, False, "row-a"),
    ]


async def test_changing_sites_needs_the_operate_scope(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        assert (await client.put("/api/v1/sites/depot", json=SITE)).status_code == 403
        assert (await client.put("/api/v1/sites/depot/limit", json={"limit": 1})).status_code == 403
        assert (await client.delete("/api/v1/sites/depot")).status_code == 403
        assert (await client.get("/api/v1/sites")).status_code == 200
    assert [name for name, _ in api.smart_charging.calls] == ["list_sites"]
