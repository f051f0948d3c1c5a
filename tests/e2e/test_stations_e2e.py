"""A 1.6, a 2.0.1 and a 2.1 station connect with basic auth, boot, heartbeat and report status; the result
is visible through gRPC and the CLI, and `csms call` round-trips to each of them."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from typing import Any

import pytest

from csms_devtools.stack import Stack
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, Cli, get_station, register
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually


def new_station_id(version: OcppVersion) -> str:
    return f"E2E-{version.name}-{uuid.uuid4().hex[:8]}"


async def show(cli: Cli, station_id: str) -> dict[str, Any] | None:
    result = await asyncio.to_thread(cli, "stations", "show", station_id, "--json")
    return json.loads(result.stdout) if result.returncode == 0 else None


def call(
    cli: Cli, station_id: str, action: str, payload: dict[str, Any], *extra: str
) -> subprocess.CompletedProcess[str]:
    return cli("call", station_id, action, json.dumps(payload), *extra)


@pytest.mark.parametrize("version", list(OcppVersion))
async def test_station_boots_and_is_visible(stack: Stack, cli: Cli, version: OcppVersion) -> None:
    station_id = new_station_id(version)
    register(cli, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        boot = await station.boot()
        assert boot.status == "Accepted" and boot.interval == 60
        assert (await station.heartbeat()).current_time.endswith("Z")
        await station.status(1, "Available" if version is OcppVersion.V16 else "Occupied")

        shown = await eventually(
            lambda: show(cli, station_id),
            lambda s: s is not None and s.get("connected") and s.get("connectors") and s.get("vendor") == "ACME",
            what=f"{station_id} projected",
        )
        assert shown is not None
        assert shown["edge_node_id"] == stack.config.edge_node_id(0)
        connector = shown["connectors"][0]
        assert (connector["evse_id"], connector["connector_id"]) == (1, 1)
        assert connector["status"] == ("Available" if version is OcppVersion.V16 else "Occupied")

        projected = await get_station(stack, station_id)
        assert projected is not None
        assert projected.ocpp_version == version_to_proto(version) and projected.connected
        assert projected.last_boot_at.seconds > 0 and projected.last_seen_at.seconds > 0

        listed = await asyncio.to_thread(cli, "stations", "list", "--json")
        assert listed.returncode == 0 and station_id in listed.stdout

        reset_type = "Soft" if version is OcppVersion.V16 else "Immediate"
        reset = await asyncio.to_thread(call, cli, station_id, "Reset", {"type": reset_type})
        assert reset.returncode == 0, reset.stderr
        assert json.loads(reset.stdout) == {"status": "Accepted"}
        trigger = await asyncio.to_thread(call, cli, station_id, "TriggerMessage", {"requestedMessage": "Heartbeat"})
        assert json.loads(trigger.stdout) == {"status": "Accepted"}
        assert [name for name, _ in station.received.calls] == ["Reset", "TriggerMessage"]

    await eventually(
        lambda: get_station(stack, station_id), lambda s: s is not None and not s.connected, what="disconnect"
    )
    offline = await asyncio.to_thread(call, cli, station_id, "TriggerMessage", {"requestedMessage": "Heartbeat"})
    assert offline.returncode == 3 and "offline" in offline.stderr


async def test_station_callerror_and_invalid_payload_via_cli(stack: Stack, cli: Cli) -> None:
    station_id = new_station_id(OcppVersion.V201)
    register(cli, station_id)
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station:
        await station.boot()
        await eventually(lambda: get_station(stack, station_id), lambda s: s is not None and s.connected)
        # The test station has no handler for GetCompositeSchedule: the ocpp library answers NotImplemented.
        report = await asyncio.to_thread(call, cli, station_id, "GetCompositeSchedule", {"duration": 60, "evseId": 1})
        assert report.returncode == 1 and "NotImplemented" in report.stderr
        invalid = await asyncio.to_thread(call, cli, station_id, "Reset", {"type": "Sometime"})
        assert invalid.returncode == 4 and "not valid" in invalid.stderr
