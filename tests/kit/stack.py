"""Around a running test stack: free ports, the real `csms` command-line tool against it, the fault tests'
restartable Kafka + Cassandra copy, and reads of the device-model projection over gRPC. Network and process I/O.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_devtools.stack import Stack, StackConfig
from csms_kernel.clients.channels import channel as grpc_channel
from infra_fixtures import Infra, LocalCopy, run_infra_step
from kit.waiting import eventually

CSMS = str(Path(sys.executable).parent / "csms")
PASSWORD = "correct-horse-battery-staple"

MakeStack = Callable[..., Awaitable[Stack]]


def one_instance_config(infra: Infra, run_dir: Path, pki_dir: Path, **overrides: Any) -> StackConfig:
    """A stack of one instance of each process on free ports against the test `infra` (tests that need a stack
    configured apart from the shared e2e one: its own log level, tracing, ...)."""
    ports: dict[str, Any] = {
        name: (free_port(),)
        for name in (
            "edge_ports",
            "edge_grpc_ports",
            "device_model_ports",
            "authorization_ports",
            "transactions_ports",
            "security_ports",
            "firmware_ports",
            "firmware_http_ports",
            "smart_charging_ports",
            "api_ports",
        )
    }
    return StackConfig(
        kafka_bootstrap=infra.kafka_bootstrap,
        cassandra_contact_points=",".join(infra.cassandra_contact_points),
        cassandra_port=infra.cassandra_port,
        cassandra_local_dc=infra.local_dc,
        run_dir=run_dir,
        pki_dir=pki_dir,
        artifacts_dir=run_dir / "artifacts",
        **{**ports, **overrides},
    )


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now that no earlier call in this process returned, so a stack's ports are distinct (the
    kernel may hand out the same free port twice in a row)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


class Cli:
    """Runs the real `csms` command against the test stack (its services, its Kafka and Cassandra)."""

    def __init__(self, stack: Stack) -> None:
        self._env = {
            **os.environ,
            "CSMS_KAFKA_BOOTSTRAP": stack.config.kafka_bootstrap,
            "CSMS_CASSANDRA_CONTACT_POINTS": stack.config.cassandra_contact_points,
            "CSMS_CASSANDRA_PORT": str(stack.config.cassandra_port),
            "CSMS_CASSANDRA_LOCAL_DC": stack.config.cassandra_local_dc,
            "CSMS_DEVICE_MODEL_ADDRESS": stack.config.device_model_address,
            "CSMS_AUTHORIZATION_ADDRESS": stack.config.authorization_address,
            "CSMS_TRANSACTIONS_ADDRESS": stack.config.transactions_address,
            "CSMS_SECURITY_ADDRESS": stack.config.security_address,
            "CSMS_FIRMWARE_ADDRESS": stack.config.firmware_address,
            "CSMS_SMART_CHARGING_ADDRESS": stack.config.smart_charging_address,
            **stack.config.grpc_tls_env("cli"),
        }

    def __call__(
        self, *args: str, stdin: str = "", env: Mapping[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """`csms ARGS` with `stdin` as its input, and `env` added to the stack's environment."""
        return subprocess.run(
            [CSMS, *args],
            env={**self._env, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def register(cli: Cli, station_id: str, password: str = PASSWORD) -> None:
    result = cli("stations", "add", station_id, "--password-stdin", stdin=password)
    assert result.returncode == 0, result.stderr


@dataclass(frozen=True)
class FaultInfra:
    """The fault tests' own Kafka and Cassandra; `stop`/`start` block (run them in a thread under load)."""

    copy: LocalCopy

    @property
    def infra(self) -> Infra:
        return self.copy.infra

    def stop(self, service: str, *, kill: bool = False) -> None:
        """SIGTERM (a clean shutdown, SIGKILL after 60 s), or with `kill` SIGKILL at once (a crash)."""
        run_infra_step("stop", service, *(["--grace", "0"] if kill else []), timeout=120.0, copy=self.copy)

    def start(self, service: str) -> None:
        run_infra_step("start", service, timeout=300.0, copy=self.copy)

    def pid(self, service: str) -> int:
        status = json.loads(self.copy.run("status", "--json", timeout=60.0).stdout)
        pid = status[service]["pid"]
        assert pid, f"{service} is not running"
        return int(pid)

    async def restart(self, service: str, *, kill: bool = False, hang_s: float = 0.0) -> None:
        """Stops and starts `service`; with `hang_s`, it is first frozen (SIGSTOP) that long: connections stay open
        and nothing answers, as when a broker's shutdown hangs."""
        if hang_s:
            pid = await asyncio.to_thread(self.pid, service)
            os.kill(pid, signal.SIGSTOP)
            await asyncio.sleep(hang_s)
        await asyncio.to_thread(lambda: self.stop(service, kill=kill))
        await asyncio.to_thread(self.start, service)


async def _station(
    stub: device_model_pb2_grpc.DeviceModelServiceStub, station_id: str, timeout_s: float
) -> device_model_pb2.Station | None:
    try:
        response = await stub.GetStation(device_model_pb2.GetStationRequest(station_id=station_id), timeout=timeout_s)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return response.station


async def get_station(stack: Stack, station_id: str) -> device_model_pb2.Station | None:
    """The projected station, or None when device-model (any instance) does not know it."""
    async with grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel:
        return await _station(device_model_pb2_grpc.DeviceModelServiceStub(channel), station_id, 5)


async def get_stations(config: StackConfig, station_ids: Sequence[str]) -> dict[str, device_model_pb2.Station]:
    """The projected stations that exist, by id (GetStation for each)."""
    async with grpc_channel(config.device_model_address, config.grpc_tls()) as channel:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        found = await asyncio.gather(*(_station(stub, station_id, 10) for station_id in station_ids))
    return {station.station_id: station for station in found if station is not None}


async def connected(stack: Stack, station_id: str) -> None:
    """Waits until device-model sees the station connected (pushes go where its presence says)."""

    async def station() -> device_model_pb2.Station | None:
        try:
            return await get_station(stack, station_id)
        except grpc.aio.AioRpcError:
            return None

    await eventually(station, lambda s: s is not None and s.connected, what=f"{station_id} connected")
