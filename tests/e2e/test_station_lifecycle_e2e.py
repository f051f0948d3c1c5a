"""The station lifecycle against the whole stack (two edge nodes, two instances of every service): a connected
1.6 and 2.0.1 station that is disabled, gets a new password or is deleted loses its connection within
`CLOSE_DEADLINE_S`, and both edge nodes refuse it from then on, the other node too although it had cached an
accepted verdict of the station; re-enabled, or with its new password, it connects again."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, Cli
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

CLOSE_DEADLINE_S = 2.0
NEW_PASSWORD = "a-rotated-password-of-32-chars!!"

Stub = authorization_pb2_grpc.AuthorizationServiceStub


async def handshake(stack: Stack, node: int, station_id: str, password: str, version: OcppVersion) -> int:
    """101 when the node accepts the station (it boots, then leaves), else the HTTP status it answers."""
    try:
        async with connected_station(stack.config.edge_url(node), station_id, password, version) as station:
            await station.boot()
    except InvalidStatus as refused:
        return refused.response.status_code
    return 101


async def on_both_nodes(stack: Stack, station_id: str, password: str, version: OcppVersion) -> list[int]:
    return [await handshake(stack, node, station_id, password, version) for node in (0, 1)]


async def both_nodes_answer(
    stack: Stack, station_id: str, password: str, version: OcppVersion, expected: list[int]
) -> None:
    """Both nodes answer the station's handshake with `expected` within the deadline of a change (each node
    follows the changes on its own, so the second may take a moment longer than the one that closed it)."""
    await eventually(
        lambda: on_both_nodes(stack, station_id, password, version),
        lambda statuses: statuses == expected,
        timeout_s=CLOSE_DEADLINE_S,
        what=f"handshakes on both nodes answered {expected}",
    )


@contextlib.asynccontextmanager
async def online(stack: Stack, station_id: str, password: str, version: OcppVersion) -> AsyncIterator[Any]:
    """The station connected to node 0 and booted."""
    async with connected_station(stack.config.edge_url(0), station_id, password, version) as station:
        await station.boot()
        yield station


async def closed_within_deadline(station: Any, change: str) -> tuple[int | None, str | None]:
    """Waits for the station's socket to be closed by the CSMS after `change`; its close code and reason."""
    started = time.monotonic()
    try:
        await asyncio.wait_for(station.socket.wait_closed(), CLOSE_DEADLINE_S)
    except TimeoutError:
        pytest.fail(f"still connected {CLOSE_DEADLINE_S} s after {change}")
    print(f"{change}: closed after {time.monotonic() - started:.2f} s")
    return station.socket.close_code, station.socket.close_reason


async def update(stub: Stub, station_id: str, **fields: Any) -> None:
    await stub.UpdateStation(pb.UpdateStationRequest(station_id=station_id, **fields), timeout=10)


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
async def test_disable_rotate_and_delete_take_effect_on_every_edge_node(
    stack: Stack, cli: Cli, authorization: Stub, version: OcppVersion
) -> None:
    station_id = f"E2E-LIFE-{version.name}-{uuid.uuid4().hex[:8]}"
    registered = await authorization.RegisterStation(
        pb.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1), timeout=10
    )
    assert registered.created
    # Node 1 verifies the station once and caches the accepted verdict (60 s in this stack).
    assert await handshake(stack, 1, station_id, PASSWORD, version) == 101

    async with online(stack, station_id, PASSWORD, version) as station:
        await update(authorization, station_id, enabled=False)
        assert await closed_within_deadline(station, "disable") == (1008, "credentials revoked: disabled")
    await both_nodes_answer(stack, station_id, PASSWORD, version, [403, 403])

    enabled = await asyncio.to_thread(cli, "stations", "update", station_id, "--enable")
    assert (enabled.returncode, enabled.stdout) == (0, f"updated {station_id}\n"), enabled.stderr
    # Both nodes cached the refusal for a few seconds; the change makes them forget it.
    await both_nodes_answer(stack, station_id, PASSWORD, version, [101, 101])

    async with online(stack, station_id, PASSWORD, version) as station:
        await update(authorization, station_id, password=NEW_PASSWORD)
        assert await closed_within_deadline(station, "password rotation") == (
            1008,
            "credentials revoked: password changed",
        )
    await both_nodes_answer(stack, station_id, PASSWORD, version, [401, 401])
    assert await on_both_nodes(stack, station_id, NEW_PASSWORD, version) == [101, 101]

    async with online(stack, station_id, NEW_PASSWORD, version) as station:
        deleted = await asyncio.to_thread(cli, "stations", "delete", station_id)
        assert (deleted.returncode, deleted.stdout) == (0, f"deleted {station_id}\n"), deleted.stderr
        assert await closed_within_deadline(station, "deletion") == (1008, "credentials revoked: deleted")
    await both_nodes_answer(stack, station_id, NEW_PASSWORD, version, [401, 401])
    shown = await asyncio.to_thread(cli, "stations", "show", station_id, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["registration"] is None  # device-model still knows it
