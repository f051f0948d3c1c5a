"""The operator API end to end, over HTTP against the real stack: a key from the real `csms api-keys create`,
stations of every OCPP version registered through the API, connected and shown with their state, id tokens,
remote sessions visible in /transactions, a local-list push with per-station results, and the 401/403/404/422
answers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import api_client, create_key, problem, register, unique
from kit.stack import PASSWORD, Cli
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
VERSION_NAMES = {V16: "1.6", V201: "2.0.1", V21: "2.1"}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@pytest.fixture(scope="module")
def admin_key(cli: Cli) -> str:
    return create_key(cli, "admin")


@pytest.fixture
async def admin(stack: Stack, admin_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(stack, admin_key) as http:
        yield http


async def new_key(admin: httpx.AsyncClient, scope: str) -> tuple[str, str]:
    """(key id, key) of a new key of `scope`, made through the API."""
    created = await admin.post("/api/v1/api-keys", json={"name": f"e2e {scope}", "scope": scope})
    assert created.status_code == 201, created.text
    return created.json()["key_id"], created.json()["key"]


async def station(http: httpx.AsyncClient, station_id: str) -> dict[str, Any]:
    answer = await http.get(f"/api/v1/stations/{station_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


@contextlib.asynccontextmanager
async def online(stack: Stack, admin: httpx.AsyncClient, version: OcppVersion, group: str = "") -> AsyncIterator[Any]:
    """A station registered through the API, connected and booted, seen connected by the API."""
    station_id = await register(admin, f"E2E-API-{version.name}", group)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as connected:
        assert (await connected.boot()).status == "Accepted"
        await eventually(
            lambda: station(admin, station_id), lambda s: s["connected"], timeout_s=60, what=f"{station_id} online"
        )
        yield connected


async def test_keys_admit_by_scope_and_a_revocation_bites_within_two_seconds(
    stack: Stack, cli: Cli, admin: httpx.AsyncClient
) -> None:
    read_id, read_key = await new_key(admin, "read")
    _, operate_key = await new_key(admin, "operate")
    async with (
        api_client(stack, None) as anonymous,
        api_client(stack, read_key) as reader,
        api_client(stack, operate_key) as operator,
    ):
        missing = problem(await anonymous.get("/api/v1/stations"), 401)
        assert missing["type"] == "urn:csms:problem:unauthenticated"
        assert (await anonymous.get("/api/v1/stations")).headers["www-authenticate"].startswith("Bearer")
        problem(await anonymous.get("/api/v1/tokens", headers={"Authorization": "Bearer csms_nope"}), 401)
        assert (await reader.get("/api/v1/tokens")).status_code == 200
        assert "scope admin" in problem(await reader.post("/api/v1/tokens", json={}), 403)["detail"]
        assert "scope operate" in problem(await reader.post("/api/v1/stations/X/sessions", json={}), 403)["detail"]
        problem(await operator.post("/api/v1/local-lists", json={"group": "x"}), 403)
        problem(await operator.get("/api/v1/api-keys"), 403)

        revoked = await asyncio.to_thread(cli, "api-keys", "revoke", read_id)
        assert revoked.returncode == 0, revoked.stderr
        refused = await eventually(
            lambda: reader.get("/api/v1/tokens"), lambda a: a.status_code == 401, timeout_s=2.5, what="revocation"
        )
        problem(refused, 401)
    listed = await asyncio.to_thread(cli, "api-keys", "list", "--json")
    assert any(k["key_id"] == read_id and k["revoked_at"] for k in json.loads(listed.stdout))


async def test_stations_of_every_version_register_connect_and_show_their_state(
    stack: Stack, admin: httpx.AsyncClient
) -> None:
    group = unique("e2e-api-site")
    async with (
        online(stack, admin, V16, group) as s16,
        online(stack, admin, V201, group) as s201,
        online(stack, admin, V21, group) as s21,
    ):
        for connected, status in ((s16, "Charging"), (s201, "Occupied"), (s21, "Occupied")):
            await connected.status(1, status)
        for version, connected, status in ((V16, s16, "Charging"), (V201, s201, "Occupied"), (V21, s21, "Occupied")):
            shown = await eventually(
                lambda c=connected: station(admin, c.id),
                lambda s, st=status: any(c["status"] == st for c in s["connectors"]),
                timeout_s=60,
                what=f"{connected.id} {status}",
            )
            assert shown["registration"]["group"] == group and shown["registration"]["security_profile"] == 1
            assert (shown["connected"], shown["ocpp_version"]) == (True, VERSION_NAMES[version])
            assert shown["connection"]["edge_node_id"] and shown["connection"]["connection_id"]
            assert shown["boot"]["vendor"] == "ACME" and shown["boot"]["booted_at"]
        every = (await admin.get("/api/v1/stations", params={"group": group, "limit": 2})).json()
        rest = (
            await admin.get("/api/v1/stations", params={"group": group, "limit": 2, "cursor": every["next_cursor"]})
        ).json()
        assert sorted(s["station_id"] for s in every["items"] + rest["items"]) == sorted([s16.id, s201.id, s21.id])
        charging = (await admin.get("/api/v1/stations", params={"group": group, "status": "Charging"})).json()
        assert [s["station_id"] for s in charging["items"]] == [s16.id]
        v21 = (await admin.get("/api/v1/stations", params={"group": group, "ocpp_version": "2.1"})).json()
        assert [s["station_id"] for s in v21["items"]] == [s21.id]

        conflict = problem(await admin.post("/api/v1/stations", json={"station_id": s16.id, "password": PASSWORD}), 409)
        assert conflict["detail"] == f"station {s16.id} is already registered"
        moved = await admin.patch(f"/api/v1/stations/{s201.id}", json={"group": None})
        assert moved.status_code == 200 and moved.json()["registration"]["group"] is None
    removed = await admin.delete(f"/api/v1/stations/{s21.id}")
    assert removed.status_code == 204
    assert (await station(admin, s21.id))["registration"] is None
    problem(await admin.delete(f"/api/v1/stations/{s21.id}"), 404)
    problem(await admin.get(f"/api/v1/stations/{unique('E2E-NOBODY')}"), 404)


async def test_tokens_create_read_update_block_unblock_delete(admin: httpx.AsyncClient) -> None:
    id_token = unique("e2e-tag").lower()
    created = await admin.post(
        "/api/v1/tokens",
        json={"id_token": id_token, "type": "ISO14443", "expires_at": "2030-01-01T00:00:00Z", "local_list": True},
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/api/v1/tokens/{id_token}"
    problem(await admin.post("/api/v1/tokens", json={"id_token": id_token.upper(), "type": "Local"}), 409)
    shown = (await admin.get(f"/api/v1/tokens/{id_token.upper()}")).json()
    assert (shown["id_token"], shown["status"], shown["expires_at"], shown["local_list"]) == (
        id_token,
        "Accepted",
        "2030-01-01T00:00:00Z",
        True,
    )
    updated = (await admin.patch(f"/api/v1/tokens/{id_token}", json={"group_id_token": "FLEET-1"})).json()
    assert (updated["group_id_token"], updated["expires_at"]) == ("FLEET-1", "2030-01-01T00:00:00Z")
    assert (await admin.post(f"/api/v1/tokens/{id_token}/block")).json()["status"] == "Blocked"
    assert (await admin.post(f"/api/v1/tokens/{id_token}/unblock")).json()["status"] == "Accepted"
    assert (await admin.delete(f"/api/v1/tokens/{id_token}")).status_code == 204
    problem(await admin.get(f"/api/v1/tokens/{id_token}"), 404)
    problem(await admin.delete(f"/api/v1/tokens/{id_token}"), 404)
    invalid = problem(await admin.post("/api/v1/tokens", json={"id_token": id_token, "type": "Card"}), 422)
    assert [e["field"] for e in invalid["errors"]] == ["body.type"]


async def remote_session(stack: Stack, admin: httpx.AsyncClient, version: OcppVersion, token: str) -> None:
    """Start through the API, the station starts; stop through the API, the station stops; the transaction is
    in /transactions, active then ended with reason Remote."""
    t0 = datetime.now(UTC).replace(microsecond=0)
    async with online(stack, admin, version) as connected:
        started = await admin.post(
            f"/api/v1/stations/{connected.id}/sessions",
            json={"id_token": token, "token_type": "ISO14443", "evse_id": 1},
        )
        assert started.status_code == 200, started.text
        assert (started.json()["status"], started.json()["result"]) == ("Accepted", {"status": "Accepted"})
        name, request = connected.received.calls[-1]
        if version is V16:
            assert name == "RemoteStartTransaction" and request["idTag"] == token
            begin = call16.StartTransaction(connector_id=1, id_tag=token, meter_start=100, timestamp=iso(t0))
            transaction_id = str((await connected.call(begin)).transaction_id)
        else:
            assert name == "RequestStartTransaction" and request["remoteStartId"] == started.json()["remote_start_id"]
            transaction_id = unique("tx")
            await connected.call(
                connected.calls.TransactionEvent(
                    event_type="Started",
                    timestamp=iso(t0),
                    trigger_reason="RemoteStart",
                    seq_no=0,
                    transaction_info={"transaction_id": transaction_id, "remote_start_id": request["remoteStartId"]},
                    id_token={"id_token": token, "type": "ISO14443"},
                    evse={"id": 1, "connector_id": 1},
                )
            )
        active = await eventually(
            lambda: admin.get("/api/v1/transactions", params={"station_id": connected.id, "active": "true"}),
            lambda a: [t["transaction_id"] for t in a.json()["items"]] == [transaction_id],
            timeout_s=60,
            what=f"{transaction_id} active",
        )
        assert active.json()["items"][0]["id_token"]["id_token"] == token

        stopped = await admin.post(f"/api/v1/stations/{connected.id}/sessions/{transaction_id}/stop")
        assert (stopped.status_code, stopped.json()["status"]) == (200, "Accepted")
        stopped_at = iso(t0 + timedelta(minutes=5))
        if version is V16:
            end = call16.StopTransaction(
                meter_stop=900, timestamp=stopped_at, transaction_id=int(transaction_id), reason="Remote"
            )
            await connected.call(end)
        else:
            await connected.call(
                connected.calls.TransactionEvent(
                    event_type="Ended",
                    timestamp=stopped_at,
                    trigger_reason="RemoteStop",
                    seq_no=1,
                    transaction_info={"transaction_id": transaction_id, "stopped_reason": "Remote"},
                )
            )
        ended = await eventually(
            lambda: admin.get(f"/api/v1/transactions/{transaction_id}", params={"station_id": connected.id}),
            lambda a: a.status_code == 200 and a.json()["state"] == "ended",
            timeout_s=60,
            what=f"{transaction_id} ended",
        )
        assert (ended.json()["stop_reason"], ended.json()["ocpp_version"]) == ("Remote", VERSION_NAMES[version])
    by_token = (await admin.get("/api/v1/transactions", params={"id_token": token})).json()
    assert transaction_id in [t["transaction_id"] for t in by_token["items"]]


async def test_remote_sessions_on_every_version_show_in_transactions(stack: Stack, admin: httpx.AsyncClient) -> None:
    token = unique("E2E-REMOTE")
    assert (await admin.post("/api/v1/tokens", json={"id_token": token, "type": "ISO14443"})).status_code == 201
    await asyncio.gather(*(remote_session(stack, admin, version, token) for version in OcppVersion))


async def test_a_local_list_push_answers_per_station(stack: Stack, admin: httpx.AsyncClient) -> None:
    group = unique("e2e-api-list")
    offline = await register(admin, "E2E-API-OFF", group)
    token = unique("E2E-LL")
    await admin.post("/api/v1/tokens", json={"id_token": token, "type": "KeyCode", "local_list": True})
    async with online(stack, admin, V201, group) as connected:
        pushed = await admin.post("/api/v1/local-lists", json={"group": group, "timeout": 15})
        assert pushed.status_code == 200, pushed.text
        results = {r["station_id"]: r for r in pushed.json()["results"]}
        assert (results[connected.id]["outcome"], results[offline]["outcome"]) == ("accepted", "offline")
        assert results[connected.id]["version_number"] >= 1 and token in connected.local_list.entries
    problem(await admin.post("/api/v1/local-lists", json={"group": unique("e2e-empty")}), 404)
    both = problem(await admin.post("/api/v1/local-lists", json={"group": group, "station_id": offline}), 422)
    assert "exactly one of station_id and group" in both["detail"]


async def test_bad_requests_are_problems_naming_what_is_wrong(admin: httpx.AsyncClient) -> None:
    problem(await admin.get("/api/v1/nothing-here"), 404)
    problem(await admin.get(f"/api/v1/transactions/{unique('tx')}"), 404)
    limit = problem(await admin.get("/api/v1/transactions", params={"limit": 1000}), 422)
    assert [e["field"] for e in limit["errors"]] == ["query.limit"]
    cursor = problem(await admin.get("/api/v1/tokens", params={"cursor": "forged.cursor"}), 422)
    assert [e["field"] for e in cursor["errors"]] == ["query.cursor"]
    short = problem(await admin.post("/api/v1/stations", json={"station_id": unique("E2E-BAD"), "password": "x"}), 422)
    assert "password" in short["detail"]
