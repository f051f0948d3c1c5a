"""`csms stack run|up|down`: the whole local system (Kafka, Cassandra, services, edge nodes), for development.

The launcher (`csms_devtools.stack`) is imported only when a stack command runs, so the rest of the CLI never
loads development tools.

`run` stays in the foreground until Ctrl-C/SIGTERM and then stops everything it started, the local Kafka and
Cassandra included; `up` returns once everything is ready and leaves it running; `down` stops what `up` started
(every instance). `--instances N` runs N instances of each service and, unless `--edge-nodes` says otherwise,
N edge nodes.
Kafka and Cassandra come from `deploy/infra.py` unless `CSMS_KAFKA_BOOTSTRAP` names an external cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from csms_cli import exit_codes
from csms_cli.serve import service_schemas
from csms_kernel.infra.settings import CommonSettings

if TYPE_CHECKING:
    from csms_devtools.stack import StackConfig

INSTANCE_PORT_STEP = 100
"""Instance n of a service listens on the first instance's gRPC and metrics ports + (n - 1) * this."""


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("stack", help="run the whole system locally (make run / make up / make down)")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, handler, text in (
        ("run", run, "everything in the foreground; Ctrl-C stops it all"),
        ("up", up, "everything in the background, returning once ready"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument(
            "--instances",
            type=int,
            default=1,
            metavar="N",
            help="instances of each service (gRPC ports 50051 device-model, 50052 authorization, 50053 "
            f"transactions, 50054 security, 50055 firmware, +{INSTANCE_PORT_STEP} for each further instance)",
        )
        sub.add_argument(
            "--edge-nodes",
            type=int,
            help="number of edge nodes (ports 9000, 9001, ...; default: as many as --instances)",
        )
        sub.add_argument(
            "--api-port",
            type=int,
            default=8080,
            metavar="PORT",
            help="HTTP port of the operator API (default 8080; 0: no API)",
        )
        sub.add_argument("--accept-unknown-stations", action="store_true", help="let unregistered stations connect")
        sub.add_argument(
            "--metrics-port",
            type=int,
            default=9100,
            metavar="BASE",
            help="Prometheus /metrics on BASE (authorization), +1 (device-model), +2 (transactions), +3 (api), "
            "+4 (security), "
            f"+{INSTANCE_PORT_STEP} for each further instance, +10.. (edge nodes); 0: none",
        )
        sub.set_defaults(handler=handler, uses_client=False)
    down_parser = actions.add_parser("down", help="stop what `up` started (services and edge nodes)")
    down_parser.set_defaults(handler=down, uses_client=False)


def _config(args: argparse.Namespace) -> StackConfig:
    from csms_devtools.stack import StackConfig

    settings = CommonSettings()
    instances = max(1, args.instances)
    count = max(1, instances if args.edge_nodes is None else args.edge_nodes)

    def ports(first: int) -> tuple[int, ...]:
        return tuple(first + INSTANCE_PORT_STEP * i for i in range(instances))

    config = StackConfig(
        kafka_bootstrap=settings.kafka_bootstrap,
        cassandra_contact_points=",".join(settings.cassandra_contact_points),
        cassandra_port=settings.cassandra_port,
        cassandra_local_dc=settings.cassandra_local_dc,
        edge_ports=tuple(9000 + i for i in range(count)),
        edge_tls_ports=tuple(9443 + i for i in range(count)),
        edge_grpc_ports=tuple(50060 + i for i in range(count)),
        device_model_ports=ports(50051),
        authorization_ports=ports(50052),
        transactions_ports=ports(50053),
        security_ports=ports(50054),
        firmware_ports=ports(50055),
        firmware_http_ports=ports(8090),
        api_ports=(args.api_port,) if args.api_port else (),
        accept_unknown_stations=args.accept_unknown_stations,
    )
    base = args.metrics_port
    if base:
        offsets = {"authorization": 0, "device-model": 1, "transactions": 2, "security": 4, "firmware": 5}
        services = {
            config.instance_name(service, i): base + offset + INSTANCE_PORT_STEP * i
            for service, offset in offsets.items()
            for i in range(instances)
        }
        edges = {config.edge_node_id(i): base + 10 + i for i in range(count)}
        api = {f"api-{i + 1}": base + 3 + INSTANCE_PORT_STEP * i for i in range(len(config.api_ports))}
        config = dataclasses.replace(config, metrics_ports=services | api | edges)
    return config


def _external_infra() -> bool:
    return "CSMS_KAFKA_BOOTSTRAP" in os.environ


def _infra(*args: str) -> subprocess.CompletedProcess[str]:
    from csms_devtools import stack as local_stack

    infra_py = local_stack.REPO_ROOT / "deploy" / "infra.py"
    return subprocess.run([sys.executable, str(infra_py), *args], text=True, capture_output=True)


def _start_infra() -> bool:
    """Starts the local Kafka and Cassandra unless they run already; True when this call started them."""
    if _external_infra() or _infra("status").returncode == 0:
        return False
    print("starting Kafka and Cassandra (first start formats their data; ~20 s) ...", flush=True)
    started = _infra("start", "all")
    if started.returncode != 0:
        raise RuntimeError(f"Kafka/Cassandra did not start:\n{started.stdout}{started.stderr}")
    return True


def _migrate(config: StackConfig) -> None:
    from csms_kernel import migrate

    asyncio.run(
        migrate.migrate(
            config.kafka_bootstrap,
            config.cassandra_contact_points.split(","),
            config.cassandra_port,
            schemas=service_schemas(),
            local_dc=config.cassandra_local_dc,
        )
    )


def _announce(config: StackConfig) -> None:
    for index in range(len(config.edge_ports)):
        print(
            f"stations connect to {config.edge_url(index)}/{{stationId}}"
            "  (subprotocols ocpp2.1, ocpp2.0.1, ocpp1.6; HTTP Basic auth: security profile 1)"
        )
    for index in range(len(config.edge_tls_ports)):
        print(
            f"stations connect to {config.edge_tls_url(index)}/{{stationId}}"
            "  (TLS: profile 2 with HTTP Basic auth, profile 3 with a client certificate of the station CA)"
        )
    if config.edge_tls_ports:
        pki = config.pki
        print(f"stations trust the CSMS root CA {pki.root_ca.certificate} (server certificate {pki.server_chain})")
        print(f"profile 3 client certificates must chain to the station CA {pki.station_ca.certificate}")
    print(
        f"device-model gRPC {config.device_model_address}, authorization gRPC {config.authorization_address},"
        f" security gRPC {config.security_address}"
    )
    print(f"internal gRPC: mutual TLS, certificates in {config.pki_dir} (csms uses internal/cli.pem)")
    for name in config.metrics_ports:
        print(f"{name} metrics {config.metrics_url(name)}")
    if len(config.device_model_ports) > 1:
        print(
            "the CLI reaches every instance with: export"
            f" CSMS_DEVICE_MODEL_ADDRESS={config.device_model_address}"
            f" CSMS_AUTHORIZATION_ADDRESS={config.authorization_address}"
            f" CSMS_TRANSACTIONS_ADDRESS={config.transactions_address}"
            f" CSMS_SECURITY_ADDRESS={config.security_address}"
        )
    print("register a station: echo 'a-secret-of-16-chars' | .venv/bin/csms stations add CP-1 --password-stdin")
    if config.api_ports:
        print(f"operator API {config.api_url} (interactive docs {config.api_url}/docs)")
        print(
            "create the first API key (printed once): .venv/bin/csms api-keys create admin --scope admin\n"
            f"  then: curl -H 'Authorization: Bearer <key>' {config.api_url}/api/v1/stations"
        )
    print(end="", flush=True)


def run(args: argparse.Namespace) -> int:
    from csms_devtools import stack as local_stack

    config = _config(args)
    started_infra = False
    running = local_stack.Stack(config)
    stop = _StopSignal()
    try:
        started_infra = _start_infra()
        _migrate(config)
        running.start()
        asyncio.run(running.wait_ready(timeout_s=120))
        _announce(config)
        print("running; Ctrl-C stops everything", flush=True)
        while not stop.requested:
            dead = [name for name, process in running.processes.items() if process.poll() is not None]
            if dead:
                print(f"error: {', '.join(dead)} exited:\n{running.log_tail(dead[0])}", file=sys.stderr)
                return exit_codes.FAILED
            time.sleep(0.5)
        return exit_codes.OK
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    finally:
        print("stopping ...", flush=True)
        running.stop()
        if started_infra:
            _infra("stop", "all")
        print("stopped", flush=True)


def up(args: argparse.Namespace) -> int:
    from csms_devtools import stack as local_stack

    config = _config(args)
    if (config.run_dir / "state.json").exists():
        local_stack.stop_saved(config.run_dir)
    running = local_stack.Stack(config)
    try:
        _start_infra()
        _migrate(config)
        running.start(detached=True)
        running.save_state()
        asyncio.run(running.wait_ready(timeout_s=120))
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        local_stack.stop_saved(config.run_dir)
        return exit_codes.FAILED
    _announce(config)
    print(f"logs in {config.run_dir}; `make down` stops it")
    return exit_codes.OK


def down(args: argparse.Namespace) -> int:
    from csms_devtools import stack as local_stack

    stopped = local_stack.stop_saved()
    print(f"stopped {', '.join(stopped)}" if stopped else "nothing was running")
    return exit_codes.OK


class _StopSignal:
    """Turns SIGINT/SIGTERM into a flag; the children got the terminal's SIGINT too and shut down themselves."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._set)
        signal.signal(signal.SIGTERM, self._set)

    def _set(self, signum: int, frame: object) -> None:
        self.requested = True
