"""A firmware campaign end to end (docs/adr/0040): 200 simulated stations (loadtest/simulator, mixed versions)
really download a served image; 10 % of them fail the install (the simulator's reproducible failure injection,
ADR 0039). Started through the API with a 5 % threshold, the campaign halts by itself; with the threshold raised
(PATCH) and resumed it finishes with every healthy station on the new version, each updated by one
UpdateFirmware, and every failing station failed after its one retry."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from csms_devtools.stack import Stack
from kit.stack import free_port
from kit.waiting import eventually
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.firmware import FailureStep, FirmwareFaults, image
from loadtest.simulator.runner import Simulator

pytestmark = pytest.mark.e2e

STATIONS = 200
FAULTS = FirmwareFaults(rate=0.10, step=FailureStep.INSTALL, seed=13)


@contextlib.asynccontextmanager
async def served_image(version: str) -> AsyncIterator[str]:
    body = image(version)

    async def download(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/fw.bin", download)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/fw.bin"
    finally:
        await runner.cleanup()


async def campaign(operator: httpx.AsyncClient, campaign_id: str) -> dict[str, Any]:
    """The campaign as shown: its summary and (one page of) its stations."""
    answer = await operator.get(f"/api/v1/firmware/campaigns/{campaign_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def test_a_campaign_halts_at_the_threshold_and_finishes_after_it_is_raised(
    stack: Stack, operator: httpx.AsyncClient
) -> None:
    config = Config(
        url=stack.config.edge_url(0),
        stations=STATIONS,
        station_prefix=f"CMP{uuid.uuid4().hex[:5]}-",
        scenarios=(Scenario.STEADY,),
        duration_s=900.0,
        rate=0.0,
        provision_address=stack.config.authorization_address,
        provision_tls=stack.config.grpc_tls(),
        firmware_version="1.0",
        firmware_faults=FAULTS,
    )
    stations = config.station_ids()
    failing = {s for s in stations if FAULTS.step_for(s) is not None}
    assert 5 < len(failing) < 40
    simulator = Simulator(config, out=lambda line: None)
    running = asyncio.create_task(simulator.run())
    try:
        async with served_image("2.0") as location:
            campaign_id = f"e2e-{uuid.uuid4().hex[:8]}"
            body = {
                "campaign_id": campaign_id,
                "stations": stations,
                "target": {"location": location, "version": "2.0"},
                "settings": {
                    "canary_size": 20,
                    "wave_size": 60,
                    "concurrency": 40,
                    "station_deadline_s": 120,
                    "max_retries": 1,
                    "failure_threshold": 0.05,
                    "offline_recheck_s": 2,
                },
            }
            created = await operator.post("/api/v1/firmware/campaigns", json=body)
            assert created.status_code == 201, created.text
            # Readable as soon as its creation is answered (no 404 while the projector catches up).
            shown = await operator.get(created.headers["Location"], params={"page_size": 50})
            assert shown.status_code == 200, shown.text
            assert sum(shown.json()["counts"].values()) == STATIONS and len(shown.json()["stations"]) == 50
            assert shown.json()["next_page_token"] is not None

            halted = await eventually(
                lambda: campaign(operator, campaign_id),
                lambda c: c["status"] == "halted",
                timeout_s=300,
                what="the campaign halted",
            )
            assert halted["counts"]["waiting"] > 0  # halted before reaching every station
            assert halted["halted_wave"] is not None

            raised = await operator.patch(f"/api/v1/firmware/campaigns/{campaign_id}", json={"failure_threshold": 0.5})
            assert raised.status_code == 200, raised.text
            resumed = await operator.post(f"/api/v1/firmware/campaigns/{campaign_id}/resume")
            assert resumed.status_code == 200, resumed.text

            await eventually(
                lambda: campaign(operator, campaign_id),
                lambda c: c["status"] != "halted",
                timeout_s=60,
                what="the campaign running again",
            )
            done = await eventually(
                lambda: campaign(operator, campaign_id),
                lambda c: c["status"] in ("completed", "halted", "aborted"),
                timeout_s=600,
                what="the campaign finished",
            )
        assert done["status"] == "completed", done["counts"]
        by_station = {s["station_id"]: s for s in done["stations"]}
        wrong = [
            by_station[station]
            for station in stations
            if (by_station[station]["state"], by_station[station]["attempts"], by_station[station]["version"])
            != (("failed", 2, None) if station in failing else ("succeeded", 1, "2.0"))
        ]
        assert wrong == []
        for station in stations[:5]:
            answer = await operator.get(f"/api/v1/stations/{station}/firmware")
            updates = answer.json()["updates"]
            assert len(updates) == (2 if station in failing else 1), updates
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
