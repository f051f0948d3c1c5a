"""`/api/v1/tokens`: list with cursors, create (409 when it exists), get, update (only the fields given),
delete, block, unblock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from csms.authorization.v1 import authorization_pb2 as authz
from csms_api.domain.keys import Scope
from kit.builders.api import Api


def stored(api: Api, id_token: str, status: int = authz.ID_TOKEN_STATUS_ACCEPTED, **fields: object) -> None:
    api.authorization.tokens[id_token.upper()] = authz.IdTokenRecord(
        id_token=id_token, type=authz.ID_TOKEN_TYPE_ISO14443, status=status, **fields
    )


async def test_create_answers_201_with_the_stored_token(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post(
            "/api/v1/tokens",
            json={
                "id_token": "04a1b2c3",
                "type": "ISO14443",
                "expires_at": "2027-12-31T00:00:00+01:00",
                "group_id_token": "FLEET-1",
                "station_ids": ["CP-1"],
                "local_list": True,
            },
        )
    assert answer.status_code == 201
    assert answer.headers["location"] == "/api/v1/tokens/04a1b2c3"
    assert answer.json() == {
        "id_token": "04a1b2c3",
        "type": "ISO14443",
        "status": "Accepted",
        "expires_at": "2027-12-30T23:00:00Z",
        "group_id_token": "FLEET-1",
        "station_ids": ["CP-1"],
        "local_list": True,
        "created_at": None,
        "updated_at": None,
    }
    (request,) = api.authorization.requests("upsert_id_token")
    assert request.expires_at.ToDatetime(tzinfo=UTC) == datetime(2027, 12, 30, 23, tzinfo=UTC)
    assert (request.type, request.status) == (authz.ID_TOKEN_TYPE_ISO14443, authz.ID_TOKEN_STATUS_ACCEPTED)


async def test_create_of_an_existing_token_in_any_case_is_409(api: Api) -> None:
    stored(api, "04A1B2C3")
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/tokens", json={"id_token": "04a1b2c3", "type": "Local"})
    assert (answer.status_code, answer.json()["detail"]) == (409, "id token 04a1b2c3 exists already")
    assert api.authorization.requests("upsert_id_token") == []


async def test_get_and_list_with_cursors(api: Api) -> None:
    for i in range(5):
        stored(api, f"TAG-{i}")
    async with await api.as_(Scope.READ) as client:
        one = await client.get("/api/v1/tokens/tag-2")
        first = (await client.get("/api/v1/tokens", params={"limit": 3})).json()
        second = (await client.get("/api/v1/tokens", params={"limit": 3, "cursor": first["next_cursor"]})).json()
        missing = await client.get("/api/v1/tokens/TAG-9")
    assert one.json()["id_token"] == "TAG-2"
    assert [t["id_token"] for t in first["items"] + second["items"]] == [f"TAG-{i}" for i in range(5)]
    assert second["next_cursor"] is None
    assert (missing.status_code, missing.json()["detail"]) == (404, "no id token TAG-9")


async def test_update_changes_only_the_fields_given(api: Api) -> None:
    stored(api, "TAG-1", group_id_token="FLEET-1", expires_at=Timestamp(seconds=1_900_000_000), station_ids=["CP-1"])
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.patch("/api/v1/tokens/tag-1", json={"local_list": True, "expires_at": None})
    token = answer.json()
    assert (token["local_list"], token["expires_at"], token["group_id_token"], token["station_ids"]) == (
        True,
        None,
        "FLEET-1",
        ["CP-1"],
    )
    (request,) = api.authorization.requests("upsert_id_token")
    assert not request.HasField("expires_at") and request.type == authz.ID_TOKEN_TYPE_ISO14443


async def test_update_of_an_unknown_token_is_404(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.patch("/api/v1/tokens/TAG-9", json={"status": "Blocked"})
    assert answer.status_code == 404


async def test_delete_is_204_then_404(api: Api) -> None:
    stored(api, "TAG-1")
    async with await api.as_(Scope.ADMIN) as client:
        first, second = await client.delete("/api/v1/tokens/TAG-1"), await client.delete("/api/v1/tokens/TAG-1")
    assert (first.status_code, second.status_code) == (204, 404)


async def test_block_then_unblock(api: Api) -> None:
    stored(api, "TAG-1")
    async with await api.as_(Scope.ADMIN) as client:
        blocked = await client.post("/api/v1/tokens/TAG-1/block")
        unblocked = await client.post("/api/v1/tokens/TAG-1/unblock")
        again = await client.post("/api/v1/tokens/TAG-1/unblock")
    assert (blocked.json()["status"], unblocked.json()["status"], again.json()["status"]) == (
        "Blocked",
        "Accepted",
        "Accepted",
    )
    assert len(api.authorization.requests("upsert_id_token")) == 1


@pytest.mark.parametrize(
    ("status", "name"), [(authz.ID_TOKEN_STATUS_EXPIRED, "Expired"), (authz.ID_TOKEN_STATUS_INVALID, "Invalid")]
)
async def test_unblocking_a_token_that_is_not_blocked_is_409(api: Api, status: int, name: str) -> None:
    stored(api, "TAG-1", status=status)
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/tokens/TAG-1/unblock")
    assert (answer.status_code, answer.json()["detail"]) == (409, f"id token TAG-1 is {name}, not Blocked")


async def test_block_of_an_unknown_token_is_404(api: Api) -> None:
    async with await api.as_(Scope.ADMIN) as client:
        answer = await client.post("/api/v1/tokens/TAG-9/block")
    assert answer.status_code == 404
