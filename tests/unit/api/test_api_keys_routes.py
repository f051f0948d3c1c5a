"""`/api/v1/api-keys` (admin): a created key is in the answer once and works at once; listings never show a
key; a revoked key stops working."""

from __future__ import annotations

import pytest

from csms_api.domain.keys import Scope, key_id_of
from kit.builders.api import Api


async def test_a_created_key_is_shown_once_and_works(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as admin:
        created = await admin.post("/api/v1/api-keys", json={"name": "billing export", "scope": "read"})
        listed = (await admin.get("/api/v1/api-keys")).json()
    body = created.json()
    assert created.status_code == 201
    assert created.headers["location"] == f"/api/v1/api-keys/{body['key_id']}"
    assert key_id_of(body["key"]) == body["key_id"]
    assert (body["name"], body["scope"], body["created_at"], body["revoked_at"]) == (
        "billing export",
        "read",
        "2026-12-06T12:00:00Z",
        None,
    )
    assert body["key"] not in str(listed) and all(set(item) == set(body) - {"key"} for item in listed["items"])
    async with api.client(body["key"]) as reader:
        assert (await reader.get("/api/v1/stations")).status_code == 200
        assert (await reader.get("/api/v1/api-keys")).status_code == 403


async def test_a_revoked_key_is_listed_as_revoked_and_refused(api: Api) -> None:
    victim = await api.key(Scope.OPERATE, name="victim")
    victim_id = key_id_of(victim)
    async with await api.as_(Scope.ADMIN) as admin:
        revoked = await admin.post(f"/api/v1/api-keys/{victim_id}/revoke")
        fetched = await admin.get(f"/api/v1/api-keys/{victim_id}")
    assert revoked.json()["revoked_at"] == "2026-12-06T12:00:00Z" == fetched.json()["revoked_at"]
    async with api.client(victim) as client:
        assert (await client.get("/api/v1/stations")).status_code == 401


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/v1/api-keys/0123456789abcdef", 404, None),
        ("/api/v1/api-keys/nope", 422, "path.key_id"),
    ],
)
async def test_unknown_and_malformed_ids(api: Api, path: str, status: int, field: str | None) -> None:
    async with await api.as_(Scope.ADMIN) as admin:
        got, revoked = await admin.get(path), await admin.post(f"{path}/revoke")
    for answer in (got, revoked):
        assert answer.status_code == status
        assert [error["field"] for error in answer.json().get("errors", [])] == ([field] if field else [])


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "x", "scope": "root"}, "body.scope"), ({"name": "", "scope": "read"}, "body.name"), ({}, "body.name")],
)
async def test_a_bad_key_request_is_422(api: Api, body: dict[str, str], field: str) -> None:
    async with await api.as_(Scope.ADMIN) as admin:
        answer = await admin.post("/api/v1/api-keys", json=body)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field


async def test_a_name_of_only_spaces_is_422_naming_it(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as admin:
        answer = await admin.post("/api/v1/api-keys", json={"name": "   ", "scope": "read"})
    assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, "body.name")


async def test_keys_page_by_cursor(api: Api) -> None:
    for i in range(4):
        await api.key(Scope.READ, name=f"k{i}")
    async with await api.as_(Scope.ADMIN) as admin:
        first = (await admin.get("/api/v1/api-keys", params={"limit": 3})).json()
        second = (await admin.get("/api/v1/api-keys", params={"limit": 3, "cursor": first["next_cursor"]})).json()
        foreign = await admin.get("/api/v1/api-keys", params={"cursor": "e30.AAAA"})
    names = sorted(item["name"] for item in first["items"] + second["items"])
    assert names == ["k0", "k1", "k2", "k3", "test"] and second["next_cursor"] is None
    assert (foreign.status_code, foreign.json()["errors"][0]["field"]) == (422, "query.cursor")
