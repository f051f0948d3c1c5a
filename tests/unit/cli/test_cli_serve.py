"""`csms serve` and `csms migrate`: lazy imports, settings from the environment, exit codes."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from csms_cli import serve
from csms_cli.main import run
from csms_kernel import migrate as migration
from csms_kernel.infra.client_security import CassandraSecurity, KafkaSecurity


def test_serve_runs_the_service_bootstrap(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setitem(
        sys.modules, "csms_device_model.bootstrap", types.SimpleNamespace(main=lambda: started.append("device_model"))
    )
    assert run(["serve", "device-model"]) == 0
    assert started == ["device_model"]


def test_serve_of_a_missing_package_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(serve.SERVICES, "edge", "no_such_csms_package")
    assert run(["serve", "edge"]) == 1
    assert capsys.readouterr() == (
        "",
        "error: the edge service is not available (No module named 'no_such_csms_package')\n",
    )


def test_serve_of_an_unknown_service_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["serve", "billing"]) == 4
    assert "argument SERVICE: invalid choice: 'billing'" in capsys.readouterr().err


def test_migrate_uses_the_common_settings_and_the_production_replication(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[Any, ...]] = []

    async def fake_migrate(*args: Any, **kwargs: Any) -> None:
        seen.append((args, kwargs))

    monkeypatch.setattr(migration, "migrate", fake_migrate)
    monkeypatch.setenv("CSMS_KAFKA_BOOTSTRAP", "kafka.test:9092")
    monkeypatch.setenv("CSMS_CASSANDRA_CONTACT_POINTS", "c1.test, c2.test")
    monkeypatch.setenv("CSMS_CASSANDRA_PORT", "9142")
    monkeypatch.setenv("CSMS_CASSANDRA_LOCAL_DC", "dc-test")
    monkeypatch.setenv("CSMS_KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("CSMS_KAFKA_MIN_INSYNC_REPLICAS", "2")
    monkeypatch.setenv("CSMS_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("CSMS_CASSANDRA_USERNAME", "csms")
    monkeypatch.setenv("CSMS_CASSANDRA_REPLICATION", '{"class": "NetworkTopologyStrategy", "dc-test": 3}')
    assert run(["migrate"]) == 0
    assert seen == [
        (
            ("kafka.test:9092", ["c1.test", "c2.test"], 9142),
            {
                "schemas": serve.service_schemas(),
                "kafka_replication_factor": 3,
                "kafka_min_insync_replicas": 2,
                "cassandra_replication": {"class": "NetworkTopologyStrategy", "dc-test": 3},
                "local_dc": "dc-test",
                "kafka_security": KafkaSecurity("SASL_PLAINTEXT"),
                "cassandra_security": CassandraSecurity("csms"),
            },
        )
    ]
    assert capsys.readouterr().out == "migrated\n"


def test_every_service_schema_is_packaged() -> None:
    assert [schema.origin for schema in serve.service_schemas()] == [
        "csms_device_model/schema.cql",
        "csms_authorization/schema.cql",
        "csms_transactions/schema.cql",
        "csms_security/schema.cql",
        "csms_firmware/schema.cql",
        "csms_smart_charging/schema.cql",
        "csms_api/schema.cql",
    ]


def test_a_failed_migration_exits_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    async def failing_migrate(*args: Any, **kwargs: Any) -> None:
        raise migration.MigrationError("topic x: no leader")

    monkeypatch.setattr(migration, "migrate", failing_migrate)
    assert run(["migrate"]) == 1
    assert capsys.readouterr() == ("", "error: migration failed: topic x: no leader\n")


def test_migrate_dry_run_prints_the_plan_and_connects_to_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def no_migration(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a dry run must not migrate")

    monkeypatch.setattr(migration, "migrate", no_migration)
    monkeypatch.setenv("CSMS_KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("CSMS_KAFKA_MIN_INSYNC_REPLICAS", "2")
    monkeypatch.setenv("CSMS_CASSANDRA_REPLICATION", '{"class": "NetworkTopologyStrategy", "dc1": 3}')
    assert run(["migrate", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "(replication factor 3)" in out
    assert "  topic ocpp.frames.v1 partitions=12 " in out and "min.insync.replicas=2" in out
    assert "  keyspace csms_device_model replication={'class': 'NetworkTopologyStrategy', 'dc1': 3}" in out
    assert "  csms_api/schema.cql: " in out


def test_migrate_dry_run_refuses_an_impossible_plan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CSMS_KAFKA_REPLICATION_FACTOR", "1")
    monkeypatch.setenv("CSMS_KAFKA_MIN_INSYNC_REPLICAS", "2")
    assert run(["migrate", "--dry-run"]) == 1
    assert "min.insync.replicas 2 must be 1..1" in capsys.readouterr().err
