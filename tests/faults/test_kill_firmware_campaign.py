"""A kill -9 of the firmware service mid-campaign (docs/adr/0040): 60 simulated stations are being updated by a
campaign when both firmware instances are SIGKILLed and started again. Must hold: the campaign is taken over
(after the lease TTL) and completes with every station on the new version after one attempt — no progress lost —
and the frame log holds exactly one UpdateFirmware CALL per station — none sent twice.
One instance of every other service."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections import Counter

import grpc
from aiohttp import web

from csms.envelope.v1 import envelope_pb2
from csms.firmware.v1 import firmware_pb2 as fw
from csms.firmware.v1 import firmware_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.infra import topics
from kit.kafka_log import end_offsets, read_committed
from kit.stack import FaultInfra, MakeStack, free_port
from kit.waiting import eventually
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.firmware import Timing, image
from loadtest.simulator.runner import Simulator

STATIONS = 60


async def show(stack: Stack, campaign_id: str) -> fw.CampaignView:
    async with grpc_channel(stack.config.firmware_address, stack.config.grpc_tls()) as channel:
        stub = firmware_pb2_grpc.FirmwareServiceStub(channel)
        try:
            return await stub.GetCampaign(fw.GetCampaignRequest(campaign_id=campaign_id), timeout=10)
        except grpc.aio.AioRpcError:  # a firmware instance still starting, or the read model not there yet
            return fw.CampaignView()


async def test_sigkill_of_the_firmware_service_mid_campaign_loses_nothing_and_sends_nothing_twice(
    fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack(instances={"firmware": 2})
    bootstrap = fault_infra.infra.kafka_bootstrap
    frames_start = await end_offsets(bootstrap, topics.FRAMES)
    config = Config(
        url=stack.config.edge_url(0),
        stations=STATIONS,
        station_prefix=f"{stack.config.instance_prefix}fw-",
        scenarios=(Scenario.STEADY,),
        duration_s=900.0,
        rate=0.0,
        firmware_version="1.0",
        firmware_timing=Timing(install_s=3.0, reboot_s=1.0),
    )
    stations = config.station_ids()
    body = image("2.0")

    async def download(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/fw.bin", download)
    server = web.AppRunner(app)
    await server.setup()
    port = free_port()
    await web.TCPSite(server, "127.0.0.1", port).start()
    running = asyncio.create_task(Simulator(config, out=lambda line: None).run())
    try:
        campaign_id = f"kill-{uuid.uuid4().hex[:8]}"
        async with grpc_channel(stack.config.firmware_address, stack.config.grpc_tls()) as channel:
            await firmware_pb2_grpc.FirmwareServiceStub(channel).CreateCampaign(
                fw.CreateCampaignRequest(
                    campaign_id=campaign_id,
                    stations=stations,
                    target=fw.CampaignTarget(location=f"http://127.0.0.1:{port}/fw.bin", version="2.0"),
                    settings=fw.CampaignSettings(
                        canary_size=5,
                        wave_size=20,
                        concurrency=10,
                        station_deadline_s=300,
                        failure_threshold=1.0,
                        offline_recheck_s=2,
                    ),
                ),
                timeout=30,
            )
        await eventually(
            lambda: show(stack, campaign_id),
            lambda c: c.counts.get("succeeded", 0) >= 10,
            timeout_s=300,
            what="the campaign under way",
        )
        firmware = [name for name in stack.processes if "firmware" in name]
        assert len(firmware) == 2, list(stack.processes)
        for name in firmware:
            stack.kill(name, signal.SIGKILL)
        for name in firmware:
            stack.start_process(stack.spec(name))
        await stack.wait_ready(timeout_s=120)

        done = await eventually(
            lambda: show(stack, campaign_id),
            lambda c: c.status in ("completed", "halted", "aborted"),
            timeout_s=600,
            what="the campaign finished after the kill",
        )
        assert done.status == "completed", dict(done.counts)
        assert [(s.station_id, s.state, s.attempts) for s in done.stations] == [
            (station, "succeeded", 1) for station in stations
        ]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await server.cleanup()

    sent: Counter[str] = Counter()
    for value in await read_committed(bootstrap, frames_start):
        envelope = envelope_pb2.Envelope.FromString(value)
        if (
            envelope.kind == envelope_pb2.KIND_FRAME
            and envelope.direction == envelope_pb2.DIRECTION_CSMS_TO_STATION
            and envelope.message_type == envelope_pb2.MESSAGE_TYPE_CALL
            and envelope.action == "UpdateFirmware"
        ):
            sent[envelope.station_id] += 1
    assert sent == Counter(dict.fromkeys(stations, 1))
