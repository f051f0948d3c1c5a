"""Session fixture ``infra``: a real Kafka and Cassandra for integration tests, migrated once.

Where they come from, in order:
1. ``CSMS_KAFKA_BOOTSTRAP`` and ``CSMS_CASSANDRA_CONTACT_POINTS`` set (plus optional ``CSMS_CASSANDRA_PORT``,
   ``CSMS_CASSANDRA_LOCAL_DC``): those external clusters.
2. ``testcontainers`` importable and a Docker engine reachable: containers (cp-kafka KRaft, cassandra:5.0).
3. Otherwise the local JVMs of ``deploy/infra.py``, in a copy of their own that never touches the one
   ``make run``/``make up`` use: data in ``.infra/test/`` (``TEST_COPY``), Kafka on 19092/19093, Cassandra
   on 19042/17000, the jars fetched into ``.infra/{kafka,cassandra}/lib`` reused. An already running test
   copy is reused; concurrent test sessions share it through leases (``.infra/test/run/leases``) and the
   last one out stops it, unless ``CSMS_KEEP_INFRA=1``.
If the infrastructure cannot be had, the fixture fails (never skips). Load it with
``pytest_plugins = ["infra_fixtures"]`` or ``-p infra_fixtures``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
INFRA_PY = REPO / "deploy" / "infra.py"
for _source_root in (REPO / "services", REPO / "services" / "contracts"):  # also when the project is not installed
    if str(_source_root) not in sys.path:
        sys.path.insert(0, str(_source_root))


@dataclass(frozen=True)
class Infra:
    kafka_bootstrap: str
    cassandra_contact_points: list[str]
    cassandra_port: int
    local_dc: str


def main_infra_dir() -> Path:
    """Where ``deploy/infra.py`` keeps the user's copy and the fetched jars."""
    configured = os.environ.get("CSMS_INFRA_DIR", "").strip()
    return Path(configured).resolve() if configured else REPO / ".infra"


@dataclass(frozen=True)
class LocalCopy:
    """One copy of deploy/infra.py's Kafka + Cassandra: its own directory and ports, the shared jars."""

    infra_dir: Path
    kafka_port: int
    kafka_controller_port: int
    cassandra_port: int
    cassandra_storage_port: int

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "CSMS_INFRA_DIR": str(self.infra_dir),
            "CSMS_INFRA_LIB_DIR": str(main_infra_dir()),
            "CSMS_KAFKA_PORT": str(self.kafka_port),
            "CSMS_KAFKA_CONTROLLER_PORT": str(self.kafka_controller_port),
            "CSMS_CASSANDRA_PORT": str(self.cassandra_port),
            "CSMS_CASSANDRA_STORAGE_PORT": str(self.cassandra_storage_port),
        }

    def run(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return _run_infra(*args, timeout=timeout, env=self.env())

    @property
    def infra(self) -> Infra:
        return Infra(
            kafka_bootstrap=f"127.0.0.1:{self.kafka_port}",
            cassandra_contact_points=["127.0.0.1"],
            cassandra_port=self.cassandra_port,
            local_dc="datacenter1",
        )


TEST_COPY = LocalCopy(main_infra_dir() / "test", 19092, 19093, 19042, 17000)


def _run_infra(*args: str, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(INFRA_PY), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )


def run_infra_step(
    *args: str, timeout: float, copy: LocalCopy | None = None, on_failure: Callable[[], None] = lambda: None
) -> None:
    """One ``deploy/infra.py`` command (on ``copy``, else on the user's copy); fails the session if it fails."""
    try:
        res = _run_infra(*args, timeout=timeout, env=copy.env() if copy else None)
    except subprocess.TimeoutExpired as exc:
        on_failure()
        pytest.fail(f"deploy/infra.py {' '.join(args)} timed out after {timeout:.0f} s: {exc.stdout!r}", pytrace=False)
    if res.returncode != 0:
        on_failure()
        pytest.fail(
            f"deploy/infra.py {' '.join(args)} failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}",
            pytrace=False,
        )


def _docker_available() -> bool:
    if importlib.util.find_spec("testcontainers") is None or shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def migrate_infra(infra: Infra) -> None:
    """Run the migration on its own event loop in a thread (leaves the tests' loop alone)."""
    from csms_cli.serve import service_schemas
    from csms_kernel.migrate import migrate

    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(
                migrate(
                    infra.kafka_bootstrap,
                    infra.cassandra_contact_points,
                    infra.cassandra_port,
                    schemas=service_schemas(),
                    local_dc=infra.local_dc,
                )
            )
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=run, name="csms-migrate")
    t.start()
    t.join()
    if errors:
        pytest.fail(f"migration failed: {errors[0]!r}", pytrace=False)


def _external() -> Infra | None:
    bootstrap = os.environ.get("CSMS_KAFKA_BOOTSTRAP", "").strip()
    points = os.environ.get("CSMS_CASSANDRA_CONTACT_POINTS", "").strip()
    if not (bootstrap and points):
        return None
    return Infra(
        kafka_bootstrap=bootstrap,
        cassandra_contact_points=[p.strip() for p in points.split(",") if p.strip()],
        cassandra_port=int(os.environ.get("CSMS_CASSANDRA_PORT", "9042")),
        local_dc=os.environ.get("CSMS_CASSANDRA_LOCAL_DC", "datacenter1"),
    )


def _containers() -> tuple[Infra, Callable[[], None]]:
    from testcontainers.cassandra import CassandraContainer
    from testcontainers.kafka import KafkaContainer

    kafka: Any = KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft()
    cassandra: Any = CassandraContainer("cassandra:5.0")
    started: list[Any] = []
    try:
        for container in (kafka, cassandra):
            container.start()
            started.append(container)
    except Exception as exc:
        for container in started:
            container.stop()
        pytest.fail(f"testcontainers could not start Kafka/Cassandra: {exc!r}", pytrace=False)
    host, port = cassandra.get_contact_points()[0]
    infra = Infra(
        kafka_bootstrap=str(kafka.get_bootstrap_server()),
        cassandra_contact_points=[str(host)],
        cassandra_port=int(port),
        local_dc=str(cassandra.get_local_datacenter()),
    )

    def stop() -> None:
        for container in reversed(started):
            container.stop()

    return infra, stop


def _local_jvms() -> tuple[Infra, Callable[[], None]]:
    lease = str(os.getpid())  # concurrent test sessions share the test copy; the last one out stops it

    def release() -> None:
        keep = ["--keep"] if os.environ.get("CSMS_KEEP_INFRA") == "1" else []
        TEST_COPY.run("release", lease, *keep, timeout=300)

    run_infra_step("fetch", timeout=900.0)  # into the user's .infra/*/lib, under its lock; every copy uses them
    run_infra_step("start", "all", "--lease", lease, timeout=600.0, copy=TEST_COPY, on_failure=release)
    return TEST_COPY.infra, release


def _nothing() -> None:
    pass


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """Kafka + Cassandra with the kernel's topology and every service's schema.cql applied."""
    stop: Callable[[], None]
    external = _external()
    if external is not None:
        found, stop = external, _nothing
    elif _docker_available():
        found, stop = _containers()
    else:
        found, stop = _local_jvms()
    try:
        migrate_infra(found)
        yield found
    finally:
        stop()
