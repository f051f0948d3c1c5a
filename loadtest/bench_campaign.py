"""A firmware campaign over many simulated stations against a running stack (`make up`), docs/adr/0040.

    .venv/bin/python -m loadtest.bench_campaign [--stations 10000] [--concurrency 500] [--wave-size 2000]
        [--canary 50] [--kafka 127.0.0.1:9092] [--image-id ID]   (default: an image served by this script)
        [--max-wall-s S]   (stop watching after S seconds and report the figures so far)

More than 1,000 stations connect from one address: start the stack with a higher per-address limit, e.g.
`CSMS_EDGE_MAX_CONNECTIONS_PER_ADDRESS=20000 make up` (default 1000; the edge answers 503 above it).

The stations are registered, connect and stay connected (simulator, steady with rate 0); one campaign updates
them all (each really downloads the image, installs and reboots). Prints the wall time from creation to
completion, the CPU seconds each CSMS process used meanwhile, and whether the concurrency limit held: the
campaign's events are read back from csms.firmware.campaigns.v1 and folded one by one, and the number of
stations updating never exceeds the limit after any event. Run it on a quiet machine (its figure goes in the
README).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
import uuid

import grpc
from aiohttp import web
from aiokafka import AIOKafkaConsumer

from csms.firmware.v1 import firmware_pb2 as fw
from csms.firmware.v1 import firmware_pb2_grpc
from csms_cli.settings import CliSettings
from csms_firmware.campaigns.domain.campaign import StationState, apply
from csms_firmware.campaigns.domain.messages import from_message
from csms_kernel.clients.channels import channel
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from loadtest.bench_stack import INFRA_DIR
from loadtest.procstat import CpuMeter, load_average, stack_pids
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.firmware import image
from loadtest.simulator.runner import Simulator

OVER = ("completed", "halted", "aborted")


async def max_updating(bootstrap: str, campaign_id: str) -> int:
    """The most stations updating at once, folding the campaign's events as they were recorded."""
    consumer = AIOKafkaConsumer(
        FIRMWARE_CAMPAIGNS, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        campaign = None
        most = 0
        while True:
            batch = await consumer.getmany(timeout_ms=3000)
            if not batch:
                return most
            for records in batch.values():
                for record in records:
                    message = fw.CampaignEvent.FromString(record.value or b"")
                    if message.campaign_id != campaign_id:
                        continue
                    campaign = apply(campaign, from_message(message))
                    if campaign is not None:
                        most = max(most, len(campaign.in_state(StationState.UPDATING)))
    finally:
        await consumer.stop()


async def bench(args: argparse.Namespace) -> None:
    settings = CliSettings()
    body = image(args.version)

    async def download(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/octet-stream")

    app = web.Application()
    app.router.add_get("/fw.bin", download)
    server = web.AppRunner(app)
    await server.setup()
    await web.TCPSite(server, args.image_host, args.image_port).start()
    config = Config(
        url=args.url,
        stations=args.stations,
        station_prefix=f"CMP{uuid.uuid4().hex[:4]}-",
        scenarios=(Scenario.STEADY,),
        duration_s=24 * 3600.0,
        rate=0.0,
        connect_concurrency=500,
        provision_address=args.provision,
        provision_tls=settings.grpc_tls,
        firmware_version="1.0",
        progress_interval_s=60.0,
    )
    print(f"{os.cpu_count()} cores; {load_average()} before {args.stations} stations", flush=True)
    simulator = asyncio.create_task(Simulator(config, out=lambda line: print(line, flush=True)).run())
    try:
        await asyncio.sleep(args.settle_s)
        target = fw.CampaignTarget(version=args.version)
        if args.image_id:
            target.image_id = args.image_id
        else:
            target.location = f"http://{args.image_host}:{args.image_port}/fw.bin"
        campaign_id = f"bench-{uuid.uuid4().hex[:8]}"
        request = fw.CreateCampaignRequest(
            campaign_id=campaign_id,
            stations=config.station_ids(),
            target=target,
            settings=fw.CampaignSettings(
                canary_size=args.canary,
                wave_size=args.wave_size,
                concurrency=args.concurrency,
                station_deadline_s=600,
                max_retries=1,
                failure_threshold=0.05,
                offline_recheck_s=10,
            ),
        )
        meter = CpuMeter(stack_pids(INFRA_DIR))
        started = time.monotonic()
        async with channel(settings.firmware_address, settings.grpc_tls) as firmware:
            stub = firmware_pb2_grpc.FirmwareServiceStub(firmware)
            await stub.CreateCampaign(request, timeout=60)
            view = fw.CampaignView()
            while view.status not in OVER:
                if args.max_wall_s and time.monotonic() - started > args.max_wall_s:
                    print(f"stopped watching after {args.max_wall_s:.0f} s: the campaign is not over", flush=True)
                    break
                await asyncio.sleep(5)
                with contextlib.suppress(grpc.aio.AioRpcError):
                    counts_only = fw.GetCampaignRequest(campaign_id=campaign_id, page_size=1)
                    view = await stub.GetCampaign(counts_only, timeout=60)
                    print(f"{time.monotonic() - started:7.0f}s {view.status} {dict(view.counts)}", flush=True)
        wall = time.monotonic() - started
        used = meter.used()
    finally:
        simulator.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await simulator
        await server.cleanup()
    most = await max_updating(args.kafka, campaign_id)
    print(f"campaign {campaign_id}: {view.status} in {wall:.0f} s, {dict(view.counts)}")
    print("CSMS CPU s: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in sorted(used.items())))
    print(f"CSMS CPU total {sum(used.values()):.1f} s; {load_average()} after")
    held = "held" if most <= args.concurrency else "EXCEEDED"
    print(f"most stations updating at once: {most} (limit {args.concurrency}: {held})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    parser.add_argument("--provision", default="127.0.0.1:50052", help="AuthorizationService address")
    parser.add_argument("--kafka", default="127.0.0.1:9092", help="Kafka bootstrap (the events are read back)")
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--wave-size", type=int, default=2_000)
    parser.add_argument("--canary", type=int, default=50)
    parser.add_argument("--version", default="2.0")
    parser.add_argument("--image-id", default="", help="an uploaded image instead of the one served here")
    parser.add_argument("--image-host", default="127.0.0.1")
    parser.add_argument("--image-port", type=int, default=8765)
    parser.add_argument("--settle-s", type=float, default=60.0, help="seconds for the stations to connect and boot")
    parser.add_argument("--max-wall-s", type=float, default=0.0, help="stop watching after this long (0: until over)")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
