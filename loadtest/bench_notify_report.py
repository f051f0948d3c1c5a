"""NotifyReport ingest benchmark against a running stack (`make up`): one 2.0.1 station is asked for its full
inventory through the operator API (`get-base-report`) and answers with `--variables` variables in NotifyReport
parts of `--part-size`, sent one after another as a station does (each part waits for its CALLRESULT). Measures the
wall time from the command until `/api/v1/stations/{id}/reports` says the report is complete and
`/device-model` holds every attribute, and the CPU every stack process used meanwhile.

    .venv/bin/python -m loadtest.bench_notify_report [--variables 5000] [--part-size 100]

Keys come from `csms api-keys create` (admin: registers the station; operate: the command). Side effects: a
station BENCH-NR-<time> with its inventory, two keys.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from websockets.typing import Subprotocol

from loadtest.procstat import CpuMeter, load_average, stack_pids
from loadtest.station_socket import basic_auth

INFRA_DIR = Path(os.environ.get("CSMS_INFRA_DIR") or ".infra")
PASSWORD = "bench-notify-report-password"
COMPONENTS = ("ChargingStation", "EVSE", "Connector", "OCPPCommCtrlr", "SampledDataCtrlr", "TxCtrlr", "VendorCtrlr")
POLL_S = 0.2


def report_data(count: int) -> list[dict[str, Any]]:
    """`count` ReportDataType (snake_case, as the `ocpp` package takes them): an Actual attribute each, every fourth
    also MaxSet, every third with characteristics, spread over components, EVSEs and connectors."""
    found = []
    for i in range(count):
        name = COMPONENTS[i % len(COMPONENTS)]
        component: dict[str, Any] = {"name": name}
        if name in ("EVSE", "Connector"):
            component["evse"] = {"id": 1 + (i // 7) % 4} | ({"connector_id": 1 + i % 2} if name == "Connector" else {})
        attributes: list[dict[str, Any]] = [{"type": "Actual", "value": f"value-{i}", "mutability": "ReadWrite"}]
        if i % 4 == 0:
            attributes.append({"type": "MaxSet", "value": str(i), "mutability": "ReadOnly"})
        data: dict[str, Any] = {
            "component": component,
            "variable": {"name": f"Variable{i:05d}"},
            "variable_attribute": attributes,
        }
        if i % 3 == 0:
            data["variable_characteristics"] = {"data_type": "integer", "max_limit": i, "supports_monitoring": True}
        found.append(data)
    return found


def attributes_in(data: list[dict[str, Any]]) -> int:
    return sum(len(item["variable_attribute"]) for item in data)


class ReportingStation(ChargePoint):  # type: ignore[misc]
    """Answers GetBaseReport with Accepted and remembers the requestId."""

    asked: asyncio.Queue[int]

    @on("GetBaseReport")  # type: ignore[untyped-decorator]
    def on_get_base_report(self, request_id: int, report_base: str, **kwargs: Any) -> call_result.GetBaseReport:
        self.asked.put_nowait(request_id)
        return call_result.GetBaseReport(status="Accepted")


@contextlib.asynccontextmanager
async def reporting_station(url: str, station_id: str, password: str) -> AsyncIterator[ReportingStation]:
    headers = {"Authorization": basic_auth(station_id, password)}
    async with websockets.connect(
        f"{url}/{station_id}", subprotocols=[Subprotocol("ocpp2.0.1")], additional_headers=headers
    ) as ws:
        station = ReportingStation(station_id, ws, response_timeout=30)
        station.asked = asyncio.Queue()
        task = asyncio.create_task(station.start())
        try:
            yield station
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task


@dataclass(frozen=True)
class Settings:
    api: str
    edge_url: str
    admin_key: str
    operate_key: str
    variables: int
    part_size: int
    timeout_s: float = 600.0
    pids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    station_id: str
    request_id: int
    parts: int
    attributes: int
    send_s: float
    complete_s: float
    cpu_s: dict[str, float]

    def report(self) -> str:
        busy = {name: s for name, s in self.cpu_s.items() if s > 0}
        per_part = {name: 1000 * s / self.parts for name, s in busy.items()}
        return "\n".join(
            [
                f"NotifyReport ingest: {self.variables_line()}",
                f"  parts sent in {self.send_s:.2f} s; inventory complete after {self.complete_s:.2f} s "
                f"({self.attributes / self.complete_s:.0f} attributes/s)",
                "  CPU s: " + ", ".join(f"{n} {s:.2f}" for n, s in sorted(busy.items(), key=lambda kv: -kv[1])),
                "  CPU ms per part: "
                + ", ".join(f"{n} {ms:.1f}" for n, ms in sorted(per_part.items(), key=lambda kv: -kv[1])),
            ]
        )

    def variables_line(self) -> str:
        return f"{self.attributes} attributes in {self.parts} parts, station {self.station_id}"


async def ingest(settings: Settings, station_id: str) -> Result:
    """Registers the station, connects and boots it, asks for its base report and sends the parts; the timings
    once the API shows the whole report (raises TimeoutError after `timeout_s`)."""
    data = report_data(settings.variables)
    chunks = [data[i : i + settings.part_size] for i in range(0, len(data), settings.part_size)]
    attributes = attributes_in(data)
    async with (
        httpx.AsyncClient(base_url=settings.api, headers=_bearer(settings.admin_key), trust_env=False) as admin,
        httpx.AsyncClient(
            base_url=settings.api, headers=_bearer(settings.operate_key), trust_env=False, timeout=60
        ) as operator,
    ):
        registered = await admin.post(
            "/api/v1/stations", json={"station_id": station_id, "password": PASSWORD, "security_profile": 1}
        )
        registered.raise_for_status()
        async with reporting_station(settings.edge_url, station_id, PASSWORD) as station:
            boot = call.BootNotification(charging_station={"vendor_name": "Bench", "model": "NR"}, reason="PowerUp")
            await station.call(boot)
            await _until_connected(admin, station_id, settings.timeout_s)
            meter = CpuMeter(settings.pids)
            started = time.perf_counter()
            asked = await operator.post(
                f"/api/v1/stations/{station_id}/commands/get-base-report", json={"report_base": "full_inventory"}
            )
            asked.raise_for_status()
            request_id = await asyncio.wait_for(station.asked.get(), settings.timeout_s)
            for seq_no, chunk in enumerate(chunks):
                await station.call(
                    call.NotifyReport(
                        request_id=request_id,
                        generated_at="2026-11-21T12:00:00Z",
                        seq_no=seq_no,
                        tbc=seq_no < len(chunks) - 1,
                        report_data=chunk,
                    )
                )
            sent = time.perf_counter() - started
            await _until_complete(operator, station_id, request_id, attributes, started + settings.timeout_s)
            return Result(
                station_id, request_id, len(chunks), attributes, sent, time.perf_counter() - started, meter.used()
            )


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _until_connected(admin: httpx.AsyncClient, station_id: str, timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        found = await admin.get(f"/api/v1/stations/{station_id}")
        if found.status_code == 200 and found.json()["connected"]:
            return
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"{station_id} not connected after {timeout_s:.0f} s")


async def _until_complete(
    operator: httpx.AsyncClient, station_id: str, request_id: int, attributes: int, deadline: float
) -> None:
    """Until the report is complete and the inventory holds `attributes` entries."""
    while time.perf_counter() < deadline:
        reports = (await operator.get(f"/api/v1/stations/{station_id}/reports")).json()
        if any(r["request_id"] == request_id and r["state"] == "complete" for r in reports):
            if await _inventory_size(operator, station_id) == attributes:
                return
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"the report of {station_id} was not complete in time")


async def _inventory_size(operator: httpx.AsyncClient, station_id: str) -> int:
    size, params = 0, {"limit": 1000}
    while True:
        page = (await operator.get(f"/api/v1/stations/{station_id}/device-model", params=params)).json()
        size += len(page["items"])
        if page["next_cursor"] is None:
            return size
        params["cursor"] = page["next_cursor"]


def create_key(scope: str) -> str:
    csms = Path(sys.executable).with_name("csms")
    done = subprocess.run(
        [str(csms), "api-keys", "create", f"bench-nr-{scope}-{int(time.time())}", "--scope", scope],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8080")
    parser.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    parser.add_argument("--variables", type=int, default=5000)
    parser.add_argument("--part-size", type=int, default=100, help="variables per NotifyReport")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the complete inventory")
    args = parser.parse_args()
    settings = Settings(
        api=args.api,
        edge_url=args.url,
        admin_key=create_key("admin"),
        operate_key=create_key("operate"),
        variables=args.variables,
        part_size=args.part_size,
        timeout_s=args.timeout,
        pids=stack_pids(INFRA_DIR),
    )
    print(load_average(), flush=True)
    result = asyncio.run(ingest(settings, f"BENCH-NR-{int(time.time())}"))
    print(result.report())
    print(load_average(), "after", flush=True)


if __name__ == "__main__":
    main()
