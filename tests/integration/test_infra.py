"""The real Kafka and Cassandra behind the ``infra`` fixture, and the idempotent migration step."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.policies import DCAwareRoundRobinPolicy

from csms_kernel.migrate import MigrationError, Schema, ensure_topic, load_topology, migrate
from infra_fixtures import Infra

pytestmark = pytest.mark.integration

FRAMES = "ocpp.frames.v1"
DEADLINE_S = 30.0


@pytest.fixture(scope="module")
def cql(infra: Infra) -> Iterator[Any]:
    profile = ExecutionProfile(load_balancing_policy=DCAwareRoundRobinPolicy(local_dc=infra.local_dc))
    cluster = Cluster(
        infra.cassandra_contact_points,
        port=infra.cassandra_port,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )
    cluster.protocol_version = 5  # offered first, negotiated down if needed
    session = cluster.connect()
    yield session
    cluster.shutdown()


@pytest.fixture
async def admin(infra: Infra) -> AsyncIterator[Any]:
    client = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await client.start()
    yield client
    await client.close()


async def _read_from(
    infra: Infra, tp: TopicPartition, offset: int, key: bytes, *, stop_value: bytes, isolation: str
) -> list[bytes]:
    """Values of records with ``key`` from ``offset`` on, until ``stop_value`` is seen (or the deadline)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=None,
        enable_auto_commit=False,
        isolation_level=isolation,
    )
    await consumer.start()
    seen: list[bytes] = []
    try:
        consumer.assign([tp])
        consumer.seek(tp, offset)
        deadline = time.monotonic() + DEADLINE_S
        while stop_value not in seen and time.monotonic() < deadline:
            batch = await consumer.getmany(tp, timeout_ms=500)
            seen += [r.value for r in batch.get(tp, []) if r.key == key and r.value is not None]
    finally:
        await consumer.stop()
    return seen


async def test_kafka_produce_and_consume_on_frames_topic(infra: Infra) -> None:
    key = f"it-station-{uuid.uuid4()}".encode()
    value = f"infra-test {uuid.uuid4()}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        meta = await producer.send_and_wait(FRAMES, value, key=key, headers=[("csms-test", b"infra")])
    finally:
        await producer.stop()
    assert meta.topic == FRAMES
    seen = await _read_from(
        infra, TopicPartition(FRAMES, meta.partition), meta.offset, key, stop_value=value, isolation="read_uncommitted"
    )
    assert seen == [value]


async def test_kafka_transactions_commit_and_abort(infra: Infra) -> None:
    spec = load_topology().delivery_topic("it-infra")  # a delivery topic: 1 partition, 1 hour retention
    await ensure_topic(infra.kafka_bootstrap, spec.name, spec.partitions, spec.config)
    key = f"it-tx-{uuid.uuid4()}".encode()
    aborted, committed = b"aborted " + key, b"committed " + key
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, transactional_id=f"it-infra-{uuid.uuid4()}")
    await producer.start()
    try:
        await producer.begin_transaction()
        first = await producer.send_and_wait(spec.name, aborted, key=key)
        await producer.abort_transaction()
        async with producer.transaction():
            await producer.send_and_wait(spec.name, committed, key=key)
    finally:
        await producer.stop()
    tp = TopicPartition(spec.name, first.partition)
    seen = await _read_from(infra, tp, first.offset, key, stop_value=committed, isolation="read_committed")
    assert seen == [committed]  # the committed record is visible, the aborted one never is


async def test_ensure_topic_creates_once_and_aligns_config(infra: Infra, admin: Any) -> None:
    spec = load_topology().delivery_topic("it-infra-config")
    assert spec.name == "ocpp.delivery.it-infra-config.v1"
    assert spec.config == {"min.insync.replicas": "1", "retention.ms": "3600000", "cleanup.policy": "delete"}

    async def retention() -> str:
        [resp] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, spec.name, {"retention.ms": ""})]
        )
        [res] = resp.to_object()["resources"]
        return str({e["config_names"]: e["config_value"] for e in res["config_entries"]}["retention.ms"])

    await ensure_topic(infra.kafka_bootstrap, spec.name, spec.partitions, spec.config)
    await ensure_topic(infra.kafka_bootstrap, spec.name, spec.partitions, spec.config)  # exists: no error
    assert await retention() == "3600000"
    await ensure_topic(infra.kafka_bootstrap, spec.name, spec.partitions, {**spec.config, "retention.ms": "7200000"})
    assert await retention() == "7200000"
    await ensure_topic(infra.kafka_bootstrap, spec.name, spec.partitions, spec.config)
    assert await retention() == "3600000"
    [topic] = await admin.describe_topics([spec.name])
    assert len(topic["partitions"]) == 1 and topic["partitions"][0]["leader"] >= 0


async def test_topology_topics_exist_with_declared_partitions_and_retention(infra: Infra, admin: Any) -> None:
    topology = load_topology()
    described = {t["topic"]: t for t in await admin.describe_topics([t.name for t in topology.topics])}
    for spec in topology.topics:
        assert described[spec.name]["error_code"] == 0, spec.name
        assert len(described[spec.name]["partitions"]) == spec.partitions, spec.name
    resources = [ConfigResource(ConfigResourceType.TOPIC, t.name, {"retention.ms": ""}) for t in topology.topics]
    retention = {
        res["resource_name"]: res["config_entries"][0]["config_value"]
        for resp in await admin.describe_configs(resources)
        for res in resp.to_object()["resources"]
    }
    assert retention == {t.name: t.config["retention.ms"] for t in topology.topics}
    assert retention["ocpp.frames.v1"] == str(7 * 24 * 3600 * 1000)
    assert retention["csms.device_model.events.v1"] == "-1"


async def test_cassandra_keyspaces_from_topology_exist(infra: Infra, cql: Any) -> None:
    rows = await asyncio.to_thread(cql.execute, "SELECT keyspace_name, replication FROM system_schema.keyspaces")
    keyspaces = {r.keyspace_name: dict(r.replication) for r in rows}
    for spec in load_topology().keyspaces:
        assert spec.name in keyspaces, spec.name
        assert keyspaces[spec.name]["class"].endswith(str(spec.replication["class"]))


async def test_migration_is_idempotent(infra: Infra, admin: Any, cql: Any) -> None:
    topology = load_topology()
    before = {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics([t.name for t in topology.topics])}
    for _ in range(2):
        await migrate(
            infra.kafka_bootstrap, infra.cassandra_contact_points, infra.cassandra_port, local_dc=infra.local_dc
        )
    after = {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics([t.name for t in topology.topics])}
    assert after == before == {t.name: t.partitions for t in topology.topics}
    rows = await asyncio.to_thread(cql.execute, "SELECT keyspace_name FROM system_schema.keyspaces")
    assert {k.name for k in topology.keyspaces} <= {r.keyspace_name for r in rows}


async def test_migration_applies_service_schema_files_idempotently(infra: Infra, cql: Any, tmp_path: Path) -> None:
    keyspace = "csms_it_migrate_probe"
    topology = tmp_path / "topology.toml"
    topology.write_text(f'[cassandra]\n[[cassandra.keyspaces]]\nname = "{keyspace}"\n')
    probe = Schema(
        "probe/schema.cql",
        f"""-- a comment with a ; in it
        CREATE TABLE IF NOT EXISTS {keyspace}.stations (
            station_id text PRIMARY KEY,
            note text   /* block comment; with a semicolon */
        );
        CREATE TYPE IF NOT EXISTS {keyspace}.address (street text);
        // trailing statement without a semicolon
        CREATE TABLE IF NOT EXISTS {keyspace}.notes (id int PRIMARY KEY, body text)
        """,
    )
    try:
        for _ in range(2):
            await migrate(
                infra.kafka_bootstrap,
                infra.cassandra_contact_points,
                infra.cassandra_port,
                topology_path=topology,
                schemas=[probe],
                local_dc=infra.local_dc,
            )
        rows = await asyncio.to_thread(
            cql.execute, "SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s", (keyspace,)
        )
        assert {r.table_name for r in rows} == {"stations", "notes"}
        await asyncio.to_thread(
            cql.execute, f"INSERT INTO {keyspace}.stations (station_id, note) VALUES (%s, %s)", ("CP-1", "a;b")
        )
        row = (
            await asyncio.to_thread(cql.execute, f"SELECT note FROM {keyspace}.stations WHERE station_id = 'CP-1'")
        ).one()
        assert row.note == "a;b"
    finally:
        await asyncio.to_thread(cql.execute, f"DROP KEYSPACE IF EXISTS {keyspace}")


async def test_migration_rejects_non_idempotent_schema_statements(infra: Infra, tmp_path: Path) -> None:
    from csms_kernel.migrate import MigrationError

    topology = tmp_path / "topology.toml"
    topology.write_text("")
    bad = Schema("bad/schema.cql", "CREATE TABLE csms_device_model.oops (id int PRIMARY KEY);")
    with pytest.raises(MigrationError, match="IF NOT EXISTS"):
        await migrate(
            infra.kafka_bootstrap,
            infra.cassandra_contact_points,
            infra.cassandra_port,
            topology_path=topology,
            schemas=[bad],
        )


async def topic_config(admin: Any, topic: str, key: str) -> str:
    [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {key: ""})])
    [resource] = response.to_object()["resources"]
    return str(next(e["config_value"] for e in resource["config_entries"] if e["config_names"] == key))


async def test_migration_brings_min_insync_replicas_of_existing_topics_in_line(
    infra: Infra, admin: Any, tmp_path: Path
) -> None:
    """Review finding #10: every topic pins min.insync.replicas; a drifted topic is set back by the migration."""
    assert all(spec.config["min.insync.replicas"] == "1" for spec in load_topology().topics)
    assert load_topology().delivery_config["min.insync.replicas"] == "1"
    name = f"it.min-insync.{uuid.uuid4().hex[:8]}"
    await ensure_topic(infra.kafka_bootstrap, name, 1, {"min.insync.replicas": "3"})
    assert await topic_config(admin, name, "min.insync.replicas") == "3"
    topology = tmp_path / "topology.toml"
    topology.write_text(f'[kafka]\nmin_insync_replicas = 1\n[[kafka.topics]]\nname = "{name}"\npartitions = 1\n')
    await migrate(infra.kafka_bootstrap, infra.cassandra_contact_points, infra.cassandra_port, topology_path=topology)
    assert await topic_config(admin, name, "min.insync.replicas") == "1"
    with pytest.raises(MigrationError, match=r"min.insync.replicas 2 must be 1..1 \(the replication factor\)"):
        await migrate(
            infra.kafka_bootstrap,
            infra.cassandra_contact_points,
            infra.cassandra_port,
            topology_path=topology,
            kafka_min_insync_replicas=2,
        )
