"""NotifyEvent on the whole stack (issue 12): OCPP 2.0.1 stations send NotifyEvent at a steady total rate; prints
the CALL→CALLRESULT latency, how long until every event is in the station event log (`ListStationEvents`), and the
CPU each stack process used per event (as `bench_stack` measures CPU per CALL). Against a running stack
(`make up`):

    .venv/bin/python -m loadtest.bench_notify_event [--rate 500] [--duration 60] [--stations 100]
    .venv/bin/python -m loadtest.bench_notify_event --rate 5 --duration 2 --stations 2     (proves it runs)

Each station is registered first (RegisterStation over the `csms` command's gRPC credentials), connects over
ws:// (security profile 1), boots, then sends one NotifyEvent with one EventData per tick, spread evenly over the
stations; event ids are unique per run, so every event is one row of the log. Stack processes are found as
`bench_stack` finds them (`CSMS_INFRA_DIR`, default `.infra`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_cli.settings import CliSettings
from csms_kernel.clients.channels import channel
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.procstat import CpuMeter, load_average, stack_pids
from loadtest.simulator.provision import provision
from loadtest.station_socket import open_station_socket

INFRA_DIR = Path(os.environ.get("CSMS_INFRA_DIR") or ".infra")
PASSWORD = "loadtest-password-0001"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Station:
    """One raw 2.0.1 station: one CALL outstanding at a time (as OCPP-J requires)."""

    station_id: str
    socket: ClientConnection
    ids: itertools.count[int] = field(default_factory=itertools.count)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def call(self, action: str, payload: dict[str, Any], timeout_s: float) -> list[Any]:
        async with self.lock:
            message_id = f"b-{next(self.ids)}"
            await self.socket.send(json.dumps([2, message_id, action, payload]))
            while True:
                frame = json.loads(await asyncio.wait_for(self.socket.recv(), timeout_s))
                if frame[0] in (3, 4) and frame[1] == message_id:
                    return list(frame)


def notify_event(event_id: int) -> dict[str, Any]:
    moment = now_iso()
    return {
        "generatedAt": moment,
        "seqNo": 0,
        "eventData": [
            {
                "eventId": event_id,
                "timestamp": moment,
                "trigger": "Alerting",
                "actualValue": "81.5",
                "techInfo": "bench",
                "eventNotificationType": "HardWiredMonitor",
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                "variable": {"name": "Temperature"},
            }
        ],
    }


async def connect(url: str, station_id: str, timeout_s: float) -> Station:
    socket = await open_station_socket(url, station_id, PASSWORD, OcppVersion.V201, open_timeout_s=timeout_s)
    station = Station(station_id, socket)
    boot = {"chargingStation": {"vendorName": "ACME", "model": "Bench-1"}, "reason": "PowerUp"}
    answer = await station.call("BootNotification", boot, timeout_s)
    if answer[0] != 3:
        raise RuntimeError(f"{station_id}: BootNotification answered {answer}")
    return station


async def count_stored(stub: device_model_pb2_grpc.DeviceModelServiceAsyncStub, station_id: str) -> int:
    count, token = 0, ""
    while True:
        request = device_model_pb2.ListStationEventsRequest(station_id=station_id, page_size=1000, page_token=token)
        page = await stub.ListStationEvents(request, timeout=30)
        count += len(page.events)
        token = page.next_page_token
        if not token:
            return count


async def wait_stored(
    stub: device_model_pb2_grpc.DeviceModelServiceAsyncStub, station_id: str, expected: int, timeout_s: float
) -> float:
    """Polls one station's log until it holds `expected` events (or the timeout); the seconds it took."""
    started = time.monotonic()
    while True:
        done = await count_stored(stub, station_id) >= expected
        if done or time.monotonic() - started >= timeout_s:
            return time.monotonic() - started
        await asyncio.sleep(0.2)


async def bench(args: argparse.Namespace) -> None:
    run = uuid.uuid4().hex[:6].upper()
    station_ids = [f"{args.prefix}{run}-{i:05d}" for i in range(args.stations)]
    settings = CliSettings()
    await provision(args.provision or settings.authorization_address, settings.grpc_tls, station_ids, PASSWORD, [])
    stations = await asyncio.gather(*(connect(args.url, s, args.timeout) for s in station_ids))
    print(f"{len(stations)} stations booted; {load_average()}", flush=True)

    pids = stack_pids(INFRA_DIR)
    if not pids:
        print(f"warning: no stack processes found under {INFRA_DIR} (CSMS_INFRA_DIR); CPU not measured", flush=True)
    total = round(args.rate * args.duration)
    latencies: list[float] = []
    answered = dict.fromkeys(station_ids, 0)
    errors = 0
    event_ids = itertools.count(1)
    meter = CpuMeter(pids)
    started = time.monotonic()

    async def send(station: Station, at: float) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        sent = time.monotonic()
        try:
            answer = await station.call("NotifyEvent", notify_event(next(event_ids)), args.timeout)
        except TimeoutError:
            errors += 1
            return
        if answer[0] == 3:
            latencies.append((time.monotonic() - sent) * 1000)
            answered[station.station_id] += 1
        else:
            errors += 1

    await asyncio.gather(*(send(stations[i % len(stations)], started + i / args.rate) for i in range(total)))
    took = time.monotonic() - started
    # The last station sent to is the probe: once its events are stored the projector has caught up (the CPU is
    # measured until then); the whole log is counted afterwards, outside the measurement.
    probe = stations[(total - 1) % len(stations)].station_id
    async with channel(settings.device_model_address, settings.grpc_tls) as opened:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(opened)
        settled_s = await wait_stored(stub, probe, answered[probe], args.store_timeout)
        used = meter.used()
        count = sum([await count_stored(stub, station_id) for station_id in station_ids])
    for station in stations:
        await station.socket.close()

    print(
        f"{len(latencies)}/{total} NotifyEvent answered in {took:.1f} s ({len(latencies) / took:.0f}/s),"
        f" {errors} failed"
    )
    if latencies:
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"latency p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms")
    print(f"{count}/{len(latencies)} events in the station event log {settled_s:.1f} s after the last answer")
    print(f"CPU per NotifyEvent (sending, storing, until stored; {load_average()}):")
    events = max(len(latencies), 1)
    for name, seconds in sorted(used.items()):
        print(f"  {name:16s} {seconds * 1000 / events:7.3f} ms")
    print(f"  {'stack total':16s} {sum(used.values()) * 1000 / events:7.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    parser.add_argument("--provision", help="AuthorizationService address (default: the csms command's)")
    parser.add_argument("--rate", type=float, default=500.0, help="NotifyEvent per second, all stations together")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--prefix", default="EVT-")
    parser.add_argument("--timeout", type=float, default=30.0, help="per CALL and per connection")
    parser.add_argument("--store-timeout", type=float, default=60.0, help="how long to wait for the log to hold all")
    args = parser.parse_args()
    if args.rate <= 0 or args.duration <= 0 or args.stations < 1:
        parser.error("--rate, --duration and --stations must be positive")
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
