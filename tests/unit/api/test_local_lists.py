"""`/api/v1/local-lists`: a push to one station or a group, with each station's outcome."""

from __future__ import annotations

from typing import Any

import pytest

from csms.authorization.v1 import authorization_pb2 as authz
from csms_api.domain.keys import Scope
from kit.builders.api import Api


async def test_a_group_push_answers_each_station_s_outcome(api: Api) -> None:
    api.authorization.register("CP-1", group="site-a")
    api.authorization.push_results = [
        authz.LocalListPushResult(station_id="CP-1", outcome=authz.PUSH_OUTCOME_ACCEPTED, version_number=4, entries=2),
        authz.LocalListPushResult(station_id="CP-2", outcome=authz.PUSH_OUTCOME_OFFLINE, detail="not connected"),
    ]
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/local-lists", json={"group": "site-a", "differential": True, "timeout": 5})
    assert answer.status_code == 200
    assert answer.json() == {
        "results": [
            {"station_id": "CP-1", "outcome": "accepted", "detail": None, "version_number": 4, "entries": 2},
            {"station_id": "CP-2", "outcome": "offline", "detail": "not connected", "version_number": 0, "entries": 0},
        ]
    }
    (request,) = api.authorization.requests("push_local_list")
    assert request == authz.PushLocalListRequest(station_group="site-a", differential=True, timeout_ms=5000)
    assert api.authorization.deadlines == [100.0]


async def test_a_station_push_uses_the_default_timeout(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/local-lists", json={"station_id": "CP-1"})
    assert answer.json() == {"results": []}
    assert api.authorization.requests("push_local_list") == [
        authz.PushLocalListRequest(station_id="CP-1", timeout_ms=30_000)
    ]


async def test_a_group_without_stations_is_404(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/local-lists", json={"group": "nowhere"})
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"station_id": "CP-1", "group": "site-a"}, "body"),
        ({"station_id": "CP-1", "timeout": 0}, "body.timeout"),
        ({"station_id": "CP-1", "differential": "sometimes"}, "body.differential"),
    ],
)
async def test_a_bad_target_is_422(api: Api, body: dict[str, Any], field: str) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/local-lists", json=body)
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]
    if field == "body":
        assert "give exactly one of station_id and group" in answer.json()["detail"]
