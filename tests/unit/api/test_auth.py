"""Every `/api/v1` route needs a bearer key (401 problem with `WWW-Authenticate: Bearer` otherwise, before the
request is even parsed) and a scope: read = every GET, operate = commands and sessions, admin = station,
token, local-list and key writes (403 problem naming the scope needed)."""

from __future__ import annotations

from typing import Any

import pytest

from csms_api.domain.keys import Scope
from csms_api.ports import StoreUnavailable
from kit.builders.api import Api

READ, OPERATE, ADMIN = Scope.READ, Scope.OPERATE, Scope.ADMIN
TOKEN = {"id_token": "TAG-1", "type": "ISO14443"}
ROUTES: list[tuple[str, str, Scope, Any]] = [
    ("GET", "/api/v1/stations", READ, None),
    ("GET", "/api/v1/stations/CP-1", READ, None),
    ("POST", "/api/v1/stations", ADMIN, {"station_id": "CP-2", "password": "p" * 16}),
    ("PATCH", "/api/v1/stations/CP-1", ADMIN, {"enabled": False}),
    ("DELETE", "/api/v1/stations/CP-1", ADMIN, None),
    ("POST", "/api/v1/stations/CP-1/sessions", OPERATE, {"id_token": "TAG-1"}),
    ("POST", "/api/v1/stations/CP-1/sessions/TX-1/stop", OPERATE, None),
    ("POST", "/api/v1/stations/CP-1/commands/reset", OPERATE, {"type": "soft"}),
    ("GET", "/api/v1/commands/cmd-1", READ, None),
    ("GET", "/api/v1/stations/CP-1/commands", READ, None),
    ("GET", "/api/v1/stations/CP-1/periodic-streams", READ, None),
    ("GET", "/api/v1/stations/CP-1/periodic-streams/7/data", READ, None),
    ("GET", "/api/v1/stations/CP-1/device-model", READ, None),
    ("GET", "/api/v1/stations/CP-1/reports", READ, None),
    ("GET", "/api/v1/stations/CP-1/provisioning", READ, None),
    ("PUT", "/api/v1/stations/CP-1/provisioning", OPERATE, {"boot_policy": "Pending"}),
    ("POST", "/api/v1/stations/CP-1/provisioning/accept", OPERATE, None),
    ("GET", "/api/v1/stations/CP-1/boots", READ, None),
    ("GET", "/api/v1/tokens", READ, None),
    ("POST", "/api/v1/tokens", ADMIN, TOKEN),
    ("GET", "/api/v1/tokens/TAG-1", READ, None),
    ("PATCH", "/api/v1/tokens/TAG-1", ADMIN, {"local_list": True}),
    ("DELETE", "/api/v1/tokens/TAG-1", ADMIN, None),
    ("POST", "/api/v1/tokens/TAG-1/block", ADMIN, None),
    ("POST", "/api/v1/tokens/TAG-1/unblock", ADMIN, None),
    ("POST", "/api/v1/local-lists", ADMIN, {"station_id": "CP-1"}),
    ("GET", "/api/v1/transactions", READ, None),
    ("GET", "/api/v1/transactions/TX-1", READ, None),
    ("GET", "/api/v1/security-events", READ, None),
    ("GET", "/api/v1/stations/CP-1/security-events", READ, None),
    ("GET", "/api/v1/stations/CP-1/certificates", READ, None),
    ("GET", "/api/v1/stations/CP-1/display-messages", READ, None),
    ("GET", "/api/v1/stations/CP-1/data-transfers", READ, None),
    ("GET", "/api/v1/stations/CP-1/events", READ, None),
    ("GET", "/api/v1/stations/CP-1/monitors", READ, None),
    ("GET", "/api/v1/stations/CP-1/customer-information/1", READ, None),
    ("POST", "/api/v1/stations/CP-1/firmware/update", OPERATE, {"location": "ftp://fw.example/x.bin"}),
    ("GET", "/api/v1/stations/CP-1/firmware", READ, None),
    ("POST", "/api/v1/stations/CP-1/charging-profiles", OPERATE, {"evse_id": 0, "profile": {}}),
    ("POST", "/api/v1/stations/CP-1/charging-profiles/clear", OPERATE, {}),
    ("POST", "/api/v1/stations/CP-1/charging-profiles/report", OPERATE, {}),
    ("POST", "/api/v1/stations/CP-1/composite-schedule", OPERATE, {"evse_id": 1, "duration": 60}),
    ("GET", "/api/v1/stations/CP-1/charging-profiles", READ, None),
    ("GET", "/api/v1/stations/CP-1/composite-schedule", READ, None),
    ("GET", "/api/v1/sites", READ, None),
    ("PUT", "/api/v1/sites/depot", OPERATE, {"limit": 10}),
    ("GET", "/api/v1/sites/depot", READ, None),
    ("DELETE", "/api/v1/sites/depot", OPERATE, None),
    ("PUT", "/api/v1/sites/depot/limit", OPERATE, {"limit": 10}),
    ("GET", "/api/v1/sites/depot/allocation", READ, None),
    ("POST", "/api/v1/firmware/campaigns", OPERATE, {"stations": ["CP-1"], "target": {"location": "https://f/x"}}),
    ("GET", "/api/v1/firmware/campaigns", READ, None),
    ("GET", "/api/v1/firmware/campaigns/c1", READ, None),
    ("POST", "/api/v1/firmware/campaigns/c1/pause", OPERATE, None),
    ("PATCH", "/api/v1/firmware/campaigns/c1", OPERATE, {"failure_threshold": 0.2}),
    ("POST", "/api/v1/stations/CP-1/logs/request", OPERATE, {"remote_location": "https://up.example/1"}),
    ("GET", "/api/v1/stations/CP-1/logs", READ, None),
    ("GET", "/api/v1/api-keys", ADMIN, None),
    ("POST", "/api/v1/api-keys", ADMIN, {"name": "x", "scope": "read"}),
    ("GET", "/api/v1/api-keys/0123456789abcdef", ADMIN, None),
    ("POST", "/api/v1/api-keys/0123456789abcdef/revoke", ADMIN, None),
]
IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


def test_every_api_route_is_listed_here(api: Api) -> None:
    """Each route of the OpenAPI document is in ROUTES (its placeholders filled in)."""
    documented = {
        (method.upper(), path) for path, operations in api.app.openapi()["paths"].items() for method in operations
    }
    placeholders = {
        "{station_id}": "CP-1",
        "{transaction_id}": "TX-1",
        "{command_name}": "reset",
        "{command_id}": "cmd-1",
        "{id_token}": "TAG-1",
        "{key_id}": "0123456789abcdef",
        "{stream_id}": "7",
        "{request_id}": "1",
        "{campaign_id}": "c1",
        "{site_id}": "depot",
        "{action}": "pause",
    }
    filled = set()
    for method, path in documented:
        for placeholder, value in placeholders.items():
            path = path.replace(placeholder, value)
        filled.add((method, path))
    assert {(method, path) for method, path in filled if path.startswith("/api/")} == {
        (method, path) for method, path, _, _ in ROUTES
    }


def assert_unauthenticated(answer: Any, detail: str, challenge: str) -> None:
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == challenge
    assert answer.json()["type"] == "urn:csms:problem:unauthenticated"
    assert detail in answer.json()["detail"]


@pytest.mark.parametrize(("method", "path", "scope", "body"), ROUTES, ids=IDS)
async def test_no_key_is_401(api: Api, method: str, path: str, scope: Scope, body: Any) -> None:
    async with api.client() as client:
        answer = await client.request(method, path, json=body)
    assert_unauthenticated(answer, "an API key is required", 'Bearer realm="csms"')


@pytest.mark.parametrize(
    "header",
    ["Bearer csms_0123456789abcdef_" + "a" * 43, "Bearer not-a-key", "Bearer csms_", "bearer   csms_x_y"],
)
async def test_an_unknown_or_malformed_key_is_401(api: Api, header: str) -> None:
    async with api.client() as client:
        answer = await client.get("/api/v1/stations", headers={"Authorization": header})
    assert_unauthenticated(answer, "not valid", 'Bearer realm="csms", error="invalid_token"')


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "csms_0123456789abcdef_x"])
async def test_a_header_without_a_bearer_key_is_401(api: Api, header: str) -> None:
    async with api.client() as client:
        answer = await client.get("/api/v1/stations", headers={"Authorization": header})
    assert_unauthenticated(answer, "an API key is required", 'Bearer realm="csms"')


async def test_a_revoked_key_is_401(api: Api) -> None:
    key = await api.key(ADMIN)
    async with api.client(key) as client:
        assert (await client.get("/api/v1/tokens")).status_code == 200
        await api.context.keys.revoke(key.split("_")[1])
        assert_unauthenticated(
            await client.get("/api/v1/tokens"), "not valid", 'Bearer realm="csms", error="invalid_token"'
        )


async def test_an_unauthenticated_request_is_refused_before_its_body_is_read(api: Api) -> None:
    async with api.client() as client:
        answer = await client.post("/api/v1/tokens", content=b"{not json", headers={"Content-Type": "application/json"})
        unknown = await client.get("/api/v1/no-such-route")
    assert answer.status_code == unknown.status_code == 401


async def test_health_needs_no_key(api: Api) -> None:
    async with api.client() as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200


BELOW = [
    pytest.param(method, path, scope, body, held, id=f"{held.value} {method} {path}")
    for method, path, scope, body in ROUTES
    for held in Scope
    if not held.allows(scope)
]


@pytest.mark.parametrize(("method", "path", "scope", "body", "held"), BELOW)
async def test_a_scope_below_the_route_s_is_403_naming_it(
    api: Api, method: str, path: str, scope: Scope, body: Any, held: Scope
) -> None:
    async with await api.as_(held) as client:
        answer = await client.request(method, path, json=body)
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert (
        answer.headers["www-authenticate"] == f'Bearer realm="csms", error="insufficient_scope", scope="{scope.value}"'
    )
    problem = answer.json()
    assert problem["type"] == "urn:csms:problem:insufficient-scope"
    assert f"scope {scope.value} or higher" in problem["detail"] and f"has scope {held.value}" in problem["detail"]
    assert api.authorization.calls == api.device_model.calls == api.transactions.calls == []


@pytest.mark.parametrize(("method", "path", "scope", "body"), ROUTES, ids=IDS)
async def test_the_route_s_scope_is_enough(api: Api, method: str, path: str, scope: Scope, body: Any) -> None:
    api.authorization.register("CP-1")
    async with await api.as_(scope) as client:
        answer = await client.request(method, path, json=body)
    assert answer.status_code not in (401, 403), answer.text


async def test_an_unreachable_key_store_is_503(api: Api) -> None:
    key = await api.key(READ)

    async def down(key_id: str) -> None:
        raise StoreUnavailable("the API key store did not answer (NoHostAvailable)")

    api.keys.get = down  # type: ignore[method-assign]
    async with api.client(key) as client:
        answer = await client.get("/api/v1/stations")
    assert (answer.status_code, answer.json()["type"]) == (503, "urn:csms:problem:unavailable")
