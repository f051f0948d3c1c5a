"""The operator API as the e2e tests use it: keys from the real `csms api-keys create`, an HTTP client on the
test stack's API, station registration through the API, and the RFC 9457 problem check."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from csms_devtools.stack import Stack
from kit.stack import PASSWORD, Cli


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}".upper()


def create_key(cli: Cli, scope: str) -> str:
    """A key made by the real `csms api-keys create` (stdout holds only the key)."""
    created = cli("api-keys", "create", f"e2e {scope}", "--scope", scope)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("csms_") and "shown only now" in created.stderr
    return key


@contextlib.asynccontextmanager
async def api_client(stack: Stack, key: str | None) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(base_url=stack.config.api_url, headers=headers, trust_env=False, timeout=90) as http:
        yield http


async def register(admin: httpx.AsyncClient, prefix: str, group: str = "") -> str:
    """A new station registered through the API at security profile 1 with the test password; its id."""
    station_id = unique(prefix)
    body: dict[str, Any] = {"station_id": station_id, "password": PASSWORD, "security_profile": 1}
    if group:
        body["group"] = group
    answer = await admin.post("/api/v1/stations", json=body)
    assert answer.status_code == 201, answer.text
    return station_id


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The RFC 9457 body of an error answer of this status."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body) and body["status"] == status
    return body


async def send_command(
    http: httpx.AsyncClient, station_id: str, name: str, params: dict[str, Any], **query: Any
) -> httpx.Response:
    """POST of an operator command; the station has 15 s to answer unless `timeout` in `query` says otherwise."""
    return await http.post(
        f"/api/v1/stations/{station_id}/commands/{name}", json=params, params={"timeout": 15, **query}
    )


async def command(http: httpx.AsyncClient, station_id: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of an operator command (its record: state, result...)."""
    answer = await send_command(http, station_id, name, params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def answered(http: httpx.AsyncClient, station_id: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of an operator command the station answered."""
    body = await command(http, station_id, name, params)
    assert body["state"] == "answered", body
    return body


async def result_of(http: httpx.AsyncClient, station_id: str, name: str, params: dict[str, Any]) -> Any:
    """The neutral result of an operator command the station answered."""
    return (await answered(http, station_id, name, params))["result"]
