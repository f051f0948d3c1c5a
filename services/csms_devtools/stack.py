"""Runs the whole CSMS (each service's instances and the edge nodes, not Kafka/Cassandra) as local processes.

Used by `make run` (foreground, Ctrl-C stops everything), `make up`/`make down` (background) and by the
end-to-end and fault tests (their own ports, two instances of everything). Each process is `csms serve
<service>` configured through `CSMS_*` environment variables: instance n of a service is the process
`<service>-n`, with its own instance id, gRPC port, metrics port and log file; its peers reach every instance of
a service through one gRPC target (`StackConfig.target`); each firmware instance also serves artifacts over
HTTP on its own port (`firmware_http_ports`), from the artifact directory it shares with the API. The operator
API runs as `api-n` processes, one per `api_ports` entry (none by default). Readiness is the gRPC health
service of every process, the edge WebSocket ports and the API's `/readyz`. gRPC runs over mutual TLS: every
process gets the certificate of its identity from the development PKI in `pki_dir` (`ensure_dev_pki`, created on
start), and the stack's own probes and test clients use `cli`'s (`StackConfig.grpc_tls`; docs/adr/0029).
Side effects: starts and signals processes, writes logs and a state file under the run directory.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from csms_kernel.clients.channels import channel
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.pki.dev import DevPki, ensure_dev_pki

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RUN_DIR = REPO_ROOT / ".infra" / "run" / "stack"
DEFAULT_PKI_DIR = REPO_ROOT / ".infra" / "pki"
DEFAULT_ARTIFACTS_DIR = REPO_ROOT / ".infra" / "artifacts"
TLS_SERVER_NAME = "localhost"
"""The name every development internal certificate carries (targets may list IP addresses)."""


SERVICES = ("authorization", "device-model", "transactions", "security", "firmware", "smart-charging")
"""The services of a stack, in start order; each runs `len(StackConfig.ports(service))` instances."""


@dataclass(frozen=True)
class StackConfig:
    kafka_bootstrap: str = "127.0.0.1:9092"
    cassandra_contact_points: str = "127.0.0.1"
    cassandra_port: int = 9042
    cassandra_local_dc: str = "datacenter1"
    host: str = "127.0.0.1"
    edge_ports: tuple[int, ...] = (9000,)
    # The wss:// port of each edge node (same length as edge_ports; empty: no wss://), served with the
    # development PKI in `pki_dir` (created by `Stack.start`; docs/adr/0025; the security service signs station
    # certificates with its station CA, docs/adr/0026).
    edge_tls_ports: tuple[int, ...] = ()
    pki_dir: Path = DEFAULT_PKI_DIR
    edge_grpc_ports: tuple[int, ...] = (50060,)
    # The gRPC port of each instance of a service: one process per port.
    device_model_ports: tuple[int, ...] = (50051,)
    authorization_ports: tuple[int, ...] = (50052,)
    transactions_ports: tuple[int, ...] = (50053,)
    security_ports: tuple[int, ...] = (50054,)
    firmware_ports: tuple[int, ...] = (50055,)
    # The station-facing artifact HTTP port of each firmware instance (by index; an instance beyond the tuple
    # picks a free port), and the one local artifact directory the firmware instances, the API and `csms
    # artifacts` share (an image uploaded through the API is served by any firmware instance; docs/adr/0038).
    firmware_http_ports: tuple[int, ...] = (8090,)
    artifacts_dir: Path = DEFAULT_ARTIFACTS_DIR
    smart_charging_ports: tuple[int, ...] = (50056,)
    # The HTTP port of each operator API instance (`api-1`, ...); none: no API.
    api_ports: tuple[int, ...] = ()
    accept_unknown_stations: bool = False
    heartbeat_interval_s: int = 300
    run_dir: Path = DEFAULT_RUN_DIR
    # Prefix of edge node and service instance ids, so two stacks can share one Kafka (e.g. tests beside
    # `make up`): node ids name delivery topics, instance ids name transactional producers.
    instance_prefix: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    # Prometheus /metrics port (CSMS_METRICS_PORT) of each process by name (`instance_name(...)`,
    # `edge_node_id(i)`); processes not named serve no metrics.
    metrics_ports: dict[str, int] = field(default_factory=dict)

    def grpc_tls(self, identity: str = "cli") -> GrpcTls:
        """The gRPC mutual TLS of a client (or process) with `identity`'s development certificate (the PKI is
        created when missing)."""
        pki = ensure_dev_pki(self.pki_dir)
        pair = pki.internal(identity)
        return GrpcTls(pki.internal_ca.certificate, pair.certificate, pair.key, TLS_SERVER_NAME)

    def grpc_tls_env(self, identity: str) -> dict[str, str]:
        """The `CSMS_GRPC_TLS_*` variables of a process with `identity`."""
        pair = self.pki.internal(identity)
        return {
            "CSMS_GRPC_TLS_CA_FILE": str(self.pki.internal_ca.certificate),
            "CSMS_GRPC_TLS_CERT_FILE": str(pair.certificate),
            "CSMS_GRPC_TLS_KEY_FILE": str(pair.key),
            "CSMS_GRPC_TLS_SERVER_NAME": TLS_SERVER_NAME,
        }

    @property
    def device_model_address(self) -> str:
        return self.target("device-model")

    @property
    def authorization_address(self) -> str:
        return self.target("authorization")

    @property
    def transactions_address(self) -> str:
        return self.target("transactions")

    @property
    def security_address(self) -> str:
        return self.target("security")

    @property
    def firmware_address(self) -> str:
        return self.target("firmware")

    def firmware_http_listen(self, index: int) -> str:
        """`CSMS_FIRMWARE_HTTP_LISTEN` of firmware instance `index` (from 0)."""
        ports = self.firmware_http_ports
        return f"{self.host}:{ports[index] if index < len(ports) else 0}"

    @property
    def artifacts_url(self) -> str:
        """The artifact server of the first firmware instance: the base of the download URLs the API signs."""
        return f"http://{self.host}:{self.firmware_http_ports[0]}" if self.firmware_http_ports else ""

    @property
    def smart_charging_address(self) -> str:
        return self.target("smart-charging")

    @property
    def api_url(self) -> str:
        """The operator API of the first API instance."""
        return f"http://{self.host}:{self.api_ports[0]}"

    def ports(self, service: str) -> tuple[int, ...]:
        by_service = {
            "authorization": self.authorization_ports,
            "device-model": self.device_model_ports,
            "transactions": self.transactions_ports,
            "security": self.security_ports,
            "firmware": self.firmware_ports,
            "smart-charging": self.smart_charging_ports,
        }
        return by_service[service]

    def target(self, service: str) -> str:
        """The one gRPC target that reaches every instance of `service` (`CSMS_<SERVICE>_ADDRESS`): `host:port`
        for one instance, `ipv4:host:port1,host:port2` for several (so `host` must be an IPv4 address)."""
        addresses = [f"{self.host}:{port}" for port in self.ports(service)]
        return addresses[0] if len(addresses) == 1 else "ipv4:" + ",".join(addresses)

    def instance_name(self, service: str, index: int) -> str:
        """The process name of instance `index` (from 0) of `service`: `device-model-1`, `device-model-2`, ..."""
        return f"{service}-{index + 1}"

    def instance_names(self, service: str) -> list[str]:
        return [self.instance_name(service, index) for index in range(len(self.ports(service)))]

    def instance_address(self, service: str, index: int) -> str:
        return f"{self.host}:{self.ports(service)[index]}"

    def metrics_url(self, name: str) -> str:
        return f"http://{self.host}:{self.metrics_ports[name]}/metrics"

    def edge_grpc_address(self, index: int) -> str:
        return f"{self.host}:{self.edge_grpc_ports[index]}"

    def edge_node_id(self, index: int) -> str:
        return f"{self.instance_prefix}edge-{index + 1}"

    def edge_url(self, index: int) -> str:
        return f"ws://{self.host}:{self.edge_ports[index]}/ocpp"

    def edge_tls_url(self, index: int) -> str:
        return f"wss://{self.host}:{self.edge_tls_ports[index]}/ocpp"

    @property
    def pki(self) -> DevPki:
        """The development PKI's layout (`Stack.start` creates what is missing)."""
        return DevPki(self.pki_dir)


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    service: str
    env: dict[str, str]
    grpc_address: str
    ws_port: int | None = None
    # The operator API's HTTP port (its readiness is /readyz there, not gRPC health).
    http_port: int | None = None


def process_specs(config: StackConfig) -> list[ProcessSpec]:
    """Every process of the stack: the instances of each service, the API instances, then the edge nodes."""
    common = {
        "CSMS_KAFKA_BOOTSTRAP": config.kafka_bootstrap,
        "CSMS_CASSANDRA_CONTACT_POINTS": config.cassandra_contact_points,
        "CSMS_CASSANDRA_PORT": str(config.cassandra_port),
        "CSMS_CASSANDRA_LOCAL_DC": config.cassandra_local_dc,
        "CSMS_DEVICE_MODEL_ADDRESS": config.device_model_address,
        "CSMS_AUTHORIZATION_ADDRESS": config.authorization_address,
        "CSMS_TRANSACTIONS_ADDRESS": config.transactions_address,
        "CSMS_SECURITY_ADDRESS": config.security_address,
        "CSMS_FIRMWARE_ADDRESS": config.firmware_address,
        "CSMS_FIRMWARE_STORE_DIR": str(config.artifacts_dir),
        "CSMS_SMART_CHARGING_ADDRESS": config.smart_charging_address,
        **config.extra_env,
    }
    own = {
        "device-model": {"CSMS_DEVICE_MODEL_HEARTBEAT_INTERVAL_S": str(config.heartbeat_interval_s)},
        "security": _station_ca_env(config.pki),
    }
    specs = []
    for service in SERVICES:
        prefix = "CSMS_" + service.upper().replace("-", "_")
        for index, name in enumerate(config.instance_names(service)):
            address = config.instance_address(service, index)
            env = {
                **common,
                f"{prefix}_GRPC_LISTEN": address,
                f"{prefix}_INSTANCE_ID": f"{config.instance_prefix}{name}",
                **own.get(service, {}),
            }
            if service == "firmware":
                env["CSMS_FIRMWARE_HTTP_LISTEN"] = config.firmware_http_listen(index)
            specs.append(ProcessSpec(name, service, env, address))
    for index, port in enumerate(config.api_ports):
        name = f"api-{index + 1}"
        env = {
            **common,
            "CSMS_API_HOST": config.host,
            "CSMS_API_PORT": str(port),
            "CSMS_API_INSTANCE_ID": f"{config.instance_prefix}{name}",
            "CSMS_FIRMWARE_PUBLIC_URL": config.artifacts_url,
        }
        specs.append(ProcessSpec(name, "api", env, "", http_port=port))
    for index, port in enumerate(config.edge_ports):
        node = config.edge_node_id(index)
        grpc_address = config.edge_grpc_address(index)
        env = {
            **common,
            "CSMS_EDGE_NODE_ID": node,
            "CSMS_EDGE_HOST": config.host,
            "CSMS_EDGE_PORT": str(port),
            "CSMS_EDGE_GRPC_LISTEN": grpc_address,
            "CSMS_EDGE_ACCEPT_UNKNOWN_STATIONS": "true" if config.accept_unknown_stations else "false",
            **_edge_tls_env(config, index),
            # Every station of a local stack (tests, load tests) connects from 127.0.0.1: the per-address limits
            # meant for the Internet would lock them all out together (docs/adr/0025).
            "CSMS_EDGE_MAX_CONNECTIONS_PER_ADDRESS": "100000",
            "CSMS_EDGE_ADDRESS_FREE_FAILURES": "100000",
        }
        specs.append(ProcessSpec(node, "edge", env, grpc_address, port))
    for spec in specs:
        spec.env["CSMS_METRICS_PORT"] = str(config.metrics_ports.get(spec.name, 0))
        spec.env.update(config.grpc_tls_env(spec.service))
    return specs


def _edge_tls_env(config: StackConfig, index: int) -> dict[str, str]:
    if not config.edge_tls_ports:
        return {}
    pki = config.pki
    return {
        "CSMS_EDGE_TLS_PORT": str(config.edge_tls_ports[index]),
        "CSMS_EDGE_TLS_CERT_FILE": str(pki.server_chain),
        "CSMS_EDGE_TLS_KEY_FILE": str(pki.server.key),
        "CSMS_EDGE_STATION_CA_FILE": str(pki.station_ca.certificate),
    }


def _station_ca_env(pki: DevPki) -> dict[str, str]:
    """The security service's station CA settings: the development PKI's station CA (`Stack.start` creates it)."""
    station_ca = pki.station_ca
    return {
        "CSMS_SECURITY_STATION_CA_CERT_FILE": str(station_ca.certificate),
        "CSMS_SECURITY_STATION_CA_KEY_FILE": str(station_ca.key),
    }


class Stack:
    """The processes of one running stack."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.specs = process_specs(config)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, *, detached: bool = False) -> None:
        self.config.run_dir.mkdir(parents=True, exist_ok=True)
        csms = str(Path(sys.executable).parent / "csms")
        for spec in self.specs:
            self.start_process(spec, csms, detached=detached)

    def start_process(self, spec: ProcessSpec, csms: str | None = None, *, detached: bool = False) -> None:
        """Starts one process (the development PKI its certificates come from is created first if missing)."""
        ensure_dev_pki(self.config.pki_dir)
        log_path = self.config.run_dir / f"{spec.name}.log"
        with log_path.open("ab") as log_file:
            self.processes[spec.name] = subprocess.Popen(
                [csms or str(Path(sys.executable).parent / "csms"), "serve", spec.service],
                env={**os.environ, **spec.env},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=detached,
                cwd=REPO_ROOT,
                preexec_fn=None if detached else _die_with_parent,
            )

    def spec(self, name: str) -> ProcessSpec:
        return next(spec for spec in self.specs if spec.name == name)

    async def wait_ready(self, timeout_s: float = 60.0, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout_s
        tls = self.config.grpc_tls()
        for spec in self.specs:
            if names is not None and spec.name not in names:
                continue
            while not await _is_ready(spec, tls):
                self._check_alive(spec.name)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{spec.name} not ready after {timeout_s:.0f}s:\n{self.log_tail(spec.name)}")
                await asyncio.sleep(0.2)
            self._check_alive(spec.name)

    def _check_alive(self, name: str) -> None:
        """Fails when the process exited (e.g. its port was taken, so another process answers the probe)."""
        process = self.processes.get(name)
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.config.run_dir / f"{name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self, name: str, sig: int = signal.SIGTERM, timeout_s: float = 20.0) -> None:
        self._kill_together([name], sig, timeout_s)

    def stop(self) -> None:
        # Edge nodes first (they drain their stations), then the services; each group's processes side by side.
        edges = {spec.name for spec in self.specs if spec.service == "edge"}
        self._kill_together([name for name in self.processes if name in edges])
        self._kill_together(list(self.processes))

    def _kill_together(self, names: list[str], sig: int = signal.SIGTERM, timeout_s: float = 20.0) -> None:
        """Signals every named process, then waits for each (killed outright after `timeout_s`)."""
        running = [p for p in (self.processes.pop(name, None) for name in names) if p is not None and p.poll() is None]
        for process in running:
            process.send_signal(sig)
        deadline = time.monotonic() + timeout_s
        for process in running:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def save_state(self) -> None:
        state = {name: process.pid for name, process in self.processes.items()}
        (self.config.run_dir / "state.json").write_text(json.dumps(state))


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the process that started it dies (a killed test run leaves no stack
    behind to steal its successors' Kafka partitions)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


async def _is_ready(spec: ProcessSpec, tls: GrpcTls | None) -> bool:
    if spec.http_port is not None:
        url = f"http://{spec.env['CSMS_API_HOST']}:{spec.http_port}/readyz"
        return await asyncio.to_thread(_http_ok, url)
    if spec.ws_port is not None and not await _port_open(spec.env.get("CSMS_EDGE_HOST", "127.0.0.1"), spec.ws_port):
        return False
    async with channel(spec.grpc_address, tls) as probe:
        try:
            response = await health_pb2_grpc.HealthStub(probe).Check(health_pb2.HealthCheckRequest(), timeout=1.0)
        except grpc.aio.AioRpcError:
            return False
    return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


def _http_ok(url: str) -> bool:
    """Whether `url` answers 200 (never through a proxy the environment names)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


async def _port_open(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def stop_saved(run_dir: Path = DEFAULT_RUN_DIR) -> list[str]:
    """Stops the processes a detached `up` recorded; returns their names."""
    state_path = run_dir / "state.json"
    if not state_path.exists():
        return []
    stopped = []
    for name, pid in json.loads(state_path.read_text()).items():
        try:
            os.kill(pid, signal.SIGTERM)
            stopped.append(name)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + 20
    for pid in json.loads(state_path.read_text()).values():
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    state_path.unlink()
    return stopped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
