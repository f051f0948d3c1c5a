"""Fault-test fixtures: a Kafka + Cassandra copy of their own (restartable), and stacks on free ports.

`fault_infra` starts a further copy of deploy/infra.py's JVMs in `.infra/faults/<pid>` on free ports, so
restarting or killing it never disturbs other tests or the user's stack; it is stopped and deleted at the
end of the session (copies left by a session that died are stopped and deleted at the start of the next).
`make_stack` starts whole stacks (`csms_devtools.stack.Stack`), two instances of every service by default, with a
unique instance prefix and stops them after the test. `instances` is either one count for every service or the
counts of the named services, the others then running one instance: each process costs about 2 s of CPU to
start, so a test asks for two instances only of the services its claim is about.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest

from csms_devtools.stack import SERVICES, Stack, StackConfig
from infra_fixtures import LocalCopy, main_infra_dir, migrate_infra, run_infra_step
from kit.stack import FaultInfra, MakeStack, free_port

FAULTS_DIR = main_infra_dir() / "faults"


def _remove_stale_copies() -> None:
    for directory in FAULTS_DIR.glob("*") if FAULTS_DIR.is_dir() else []:
        if directory.name.isdigit() and not _alive(int(directory.name)):
            stale = LocalCopy(directory, 0, 0, 0, 0)
            run_infra_step("stop", "all", timeout=180.0, copy=stale)
            shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="session")
def fault_infra() -> Iterator[FaultInfra]:
    _remove_stale_copies()
    copy = LocalCopy(FAULTS_DIR / str(os.getpid()), free_port(), free_port(), free_port(), free_port())
    faults = FaultInfra(copy)
    run_infra_step("fetch", timeout=900.0)
    try:
        run_infra_step("start", "all", timeout=600.0, copy=copy)
        migrate_infra(copy.infra)
        yield faults
    finally:
        run_infra_step("stop", "all", timeout=180.0, copy=copy)
        shutil.rmtree(copy.infra_dir, ignore_errors=True)


@pytest.fixture
async def make_stack(fault_infra: FaultInfra, tmp_path: Path) -> AsyncIterator[MakeStack]:
    stacks: list[Stack] = []

    async def make(edges: int = 1, heartbeat_interval_s: int = 300, instances: int | Mapping[str, int] = 2) -> Stack:
        infra = fault_infra.infra
        if not isinstance(instances, int) and set(instances) - set(SERVICES):
            raise ValueError(f"unknown services {sorted(set(instances) - set(SERVICES))}, expected some of {SERVICES}")

        def ports(service: str) -> tuple[int, ...]:
            count = instances if isinstance(instances, int) else instances.get(service, 1)
            return tuple(free_port() for _ in range(count))

        config = StackConfig(
            kafka_bootstrap=infra.kafka_bootstrap,
            cassandra_contact_points=",".join(infra.cassandra_contact_points),
            cassandra_port=infra.cassandra_port,
            cassandra_local_dc=infra.local_dc,
            edge_ports=tuple(free_port() for _ in range(edges)),
            edge_grpc_ports=tuple(free_port() for _ in range(edges)),
            device_model_ports=ports("device-model"),
            authorization_ports=ports("authorization"),
            transactions_ports=ports("transactions"),
            security_ports=ports("security"),
            firmware_ports=ports("firmware"),
            firmware_http_ports=ports("firmware"),
            artifacts_dir=tmp_path / "artifacts",
            smart_charging_ports=ports("smart-charging"),
            accept_unknown_stations=True,
            heartbeat_interval_s=heartbeat_interval_s,
            run_dir=tmp_path / f"stack-{len(stacks)}",
            pki_dir=tmp_path / "pki",
            instance_prefix=f"faults-{uuid.uuid4().hex[:6]}-",
        )
        stack = Stack(config)
        stacks.append(stack)
        stack.start()
        await stack.wait_ready(timeout_s=120)
        return stack

    yield make
    for stack in stacks:
        stack.stop()
