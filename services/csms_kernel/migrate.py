"""Idempotent migration: Kafka topics and Cassandra keyspaces from the topology, then the services' schemas.

The topology is ``csms_kernel/topology.toml`` (packaged with the kernel; another file can be given). Creates
missing topics (and brings retention/cleanup of existing ones in line), waits until every partition has a
leader, creates missing keyspaces, then applies the schemas the caller names (each service package's
``schema.cql``: statements separated by ``;``, each ``CREATE ... IF NOT EXISTS`` or, for a column added to a table
that exists on clusters migrated before, ``ALTER TABLE ... ADD IF NOT EXISTS``). Safe to run any number of times.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from aiokafka.admin import NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code

from csms_kernel.infra.client_security import NO_CASSANDRA_SECURITY, PLAINTEXT, CassandraSecurity, KafkaSecurity
from csms_kernel.infra.kafka import make_admin

log = logging.getLogger(__name__)

DEFAULT_TOPOLOGY = resources.files("csms_kernel") / "topology.toml"

_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_KEYSPACE_NAME = re.compile(r"^[A-Za-z0-9_]{1,48}$")
_IDEMPOTENT_CQL = re.compile(
    r"^\s*(CREATE\s.*\bIF\s+NOT\s+EXISTS\b|ALTER\s+TABLE\s+\S+\s+ADD\s+IF\s+NOT\s+EXISTS\s)", re.IGNORECASE | re.DOTALL
)
_NOT_IDEMPOTENT = "not a 'CREATE ... IF NOT EXISTS' or 'ALTER TABLE ... ADD IF NOT EXISTS' statement"
_TOPIC_ALREADY_EXISTS = 36

Replication = Mapping[str, str | int]


class MigrationError(RuntimeError):
    """The topology or a schema file is invalid, or the cluster refused a change."""


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyspaceSpec:
    name: str
    replication: Replication


@dataclass(frozen=True)
class Topology:
    topics: tuple[TopicSpec, ...]
    kafka_replication_factor: int
    kafka_min_insync_replicas: int
    delivery_name_pattern: str
    delivery_partitions: int
    delivery_config: Mapping[str, str]
    keyspaces: tuple[KeyspaceSpec, ...]

    def delivery_topic(self, node_id: str) -> TopicSpec:
        """The per-edge-node delivery topic (``ocpp.delivery.<node>.v1``) for ``node_id``."""
        name = self.delivery_name_pattern.format(node=node_id)
        if not _TOPIC_NAME.match(name):
            raise MigrationError(f"edge node id {node_id!r} gives an invalid topic name {name!r}")
        return TopicSpec(name, self.delivery_partitions, dict(self.delivery_config))


def _topic_config(entry: Mapping[str, Any], min_insync_replicas: int) -> dict[str, str]:
    config = {"min.insync.replicas": str(min_insync_replicas)}
    config.update({str(k): str(v) for k, v in dict(entry.get("config", {})).items()})
    if "retention_ms" in entry:
        config["retention.ms"] = str(int(entry["retention_ms"]))
    if "cleanup_policy" in entry:
        config["cleanup.policy"] = str(entry["cleanup_policy"])
    return config


def load_topology(path: Path | str | None = None) -> Topology:
    """Parse and validate a topology file (default: the one packaged with the kernel)."""
    topo_path: Path | Traversable = Path(path) if path is not None else DEFAULT_TOPOLOGY
    raw = tomllib.loads(topo_path.read_text(encoding="utf-8"))
    kafka = raw.get("kafka", {})
    min_insync = int(kafka.get("min_insync_replicas", 1))
    topics = []
    for entry in kafka.get("topics", []):
        name = str(entry["name"])
        if not _TOPIC_NAME.match(name):
            raise MigrationError(f"{topo_path}: invalid topic name {name!r}")
        partitions = int(entry["partitions"])
        if partitions < 1:
            raise MigrationError(f"{topo_path}: topic {name}: partitions must be >= 1")
        topics.append(TopicSpec(name, partitions, _topic_config(entry, min_insync)))
    if len({t.name for t in topics}) != len(topics):
        raise MigrationError(f"{topo_path}: duplicate topic names")
    delivery = raw.get("delivery_topic_defaults", {})
    pattern = str(delivery.get("name_pattern", "ocpp.delivery.{node}.v1"))
    if "{node}" not in pattern:
        raise MigrationError(f"{topo_path}: delivery_topic_defaults.name_pattern needs '{{node}}'")
    cassandra = raw.get("cassandra", {})
    default_repl: dict[str, str | int] = dict(
        cassandra.get("replication", {"class": "SimpleStrategy", "replication_factor": 1})
    )
    keyspaces = []
    for entry in cassandra.get("keyspaces", []):
        name = str(entry["name"])
        if not _KEYSPACE_NAME.match(name):
            raise MigrationError(f"{topo_path}: invalid keyspace name {name!r}")
        keyspaces.append(KeyspaceSpec(name, dict(entry.get("replication", default_repl))))
    return Topology(
        topics=tuple(topics),
        kafka_replication_factor=int(kafka.get("replication_factor", 1)),
        kafka_min_insync_replicas=min_insync,
        delivery_name_pattern=pattern,
        delivery_partitions=int(delivery.get("partitions", 1)),
        delivery_config=_topic_config(delivery, min_insync),
        keyspaces=tuple(keyspaces),
    )


# ----------------------------------------------------------------------------------------- Kafka


def _raise_for_code(code: int, message: str | None, what: str) -> None:
    if code != 0:
        err = for_code(code)
        raise MigrationError(f"{what}: {err.__name__} ({code}) {message or ''}".rstrip())


async def _existing_partitions(admin: Any, names: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    topics: list[dict[str, Any]] = await admin.describe_topics(list(names))
    return {str(t["topic"]): list(t["partitions"]) for t in topics if t["error_code"] == 0}


async def _align_configs(admin: Any, specs: Sequence[TopicSpec]) -> None:
    """Set declared configs on existing topics where they differ (AlterConfigs: declared set wins)."""
    wanted = [s for s in specs if s.config]
    if not wanted:
        return
    resources = [ConfigResource(ConfigResourceType.TOPIC, s.name, dict(s.config)) for s in wanted]
    responses = await admin.describe_configs(resources)
    current: dict[str, dict[str, str]] = {}
    for resp in responses:
        for res in resp.to_object()["resources"]:
            _raise_for_code(res["error_code"], res["error_message"], f"describe configs {res['resource_name']}")
            current[res["resource_name"]] = {
                str(e["config_names"]): str(e["config_value"]) for e in res["config_entries"]
            }
    changed = [s for s in wanted if any(current.get(s.name, {}).get(k) != v for k, v in s.config.items())]
    if not changed:
        return
    for s in changed:
        log.info("topic %s: setting config %s", s.name, dict(s.config))
    alter = [ConfigResource(ConfigResourceType.TOPIC, s.name, dict(s.config)) for s in changed]
    for resp in await admin.alter_configs(alter):
        for res in resp.to_object()["resources"]:
            _raise_for_code(res["error_code"], res["error_message"], f"alter configs {res['resource_name']}")


async def _wait_for_leaders(admin: Any, specs: Sequence[TopicSpec], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    names = [s.name for s in specs]
    missing: list[str] = names
    while True:
        parts = await _existing_partitions(admin, names)
        missing = [
            s.name
            for s in specs
            if len(parts.get(s.name, [])) < s.partitions
            or any(p["error_code"] != 0 or p["leader"] < 0 for p in parts[s.name])
        ]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise MigrationError(f"topics without a leader for every partition after {timeout_s:.0f} s: {missing}")
        await asyncio.sleep(0.2)


async def _ensure_topics(admin: Any, specs: Sequence[TopicSpec], replication_factor: int, timeout_s: float) -> None:
    existing = set(await admin.list_topics())
    missing = [s for s in specs if s.name not in existing]
    if missing:
        log.info("creating topics %s", [s.name for s in missing])
        new = [NewTopic(s.name, s.partitions, replication_factor, topic_configs=dict(s.config)) for s in missing]
        resp = await admin.create_topics(new, timeout_ms=int(timeout_s * 1000))
        for err in resp.to_object()["topic_errors"]:
            if err["error_code"] != _TOPIC_ALREADY_EXISTS:  # lost a race with another migrator: fine
                _raise_for_code(err["error_code"], err.get("error_message"), f"create topic {err['topic']}")
    present = [s for s in specs if s.name in existing]
    if present:
        await _align_configs(admin, present)
        parts = await _existing_partitions(admin, [s.name for s in present])
        for s in present:
            have = len(parts.get(s.name, []))
            if have != s.partitions:  # never repartition automatically: keys would move partitions
                log.warning("topic %s has %d partitions, topology says %d (left as is)", s.name, have, s.partitions)
    await _wait_for_leaders(admin, specs, timeout_s)


async def ensure_topic(
    admin_bootstrap: str,
    name: str,
    partitions: int,
    config: Mapping[str, str],
    *,
    replication_factor: int = 1,
    timeout_s: float = 60.0,
    security: KafkaSecurity = PLAINTEXT,
) -> None:
    """Create ``name`` if missing (else align its config) and wait until every partition has a leader.

    Edge nodes use it for their delivery topic::

        spec = load_topology().delivery_topic(node_id)
        await ensure_topic(bootstrap, spec.name, spec.partitions, spec.config)
    """
    if not _TOPIC_NAME.match(name):
        raise MigrationError(f"invalid topic name {name!r}")
    admin = make_admin(admin_bootstrap, "csms-migrate", security=security)
    await admin.start()
    try:
        await _ensure_topics(admin, [TopicSpec(name, partitions, dict(config))], replication_factor, timeout_s)
    finally:
        await admin.close()


# ------------------------------------------------------------------------------------- Cassandra


def split_cql(text: str) -> list[str]:
    """Split CQL on ``;`` outside quotes and comments; drop comments and empty statements."""
    statements: list[str] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        two = text[i : i + 2]
        if two in ("--", "//"):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if two == "/*":
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            buf.append(" ")
            continue
        if two == "$$":
            end = text.find("$$", i + 2)
            end = n if end < 0 else end + 2
            buf.append(text[i:end])
            i = end
            continue
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if text[j] == ch:
                    if j + 1 < n and text[j + 1] == ch:  # doubled quote escapes itself
                        j += 2
                        continue
                    break
                j += 1
            buf.append(text[i : j + 1])
            i = j + 1
            continue
        if ch == ";":
            stmt = "".join(buf).strip()
            if stmt:
                statements.append(stmt)
            buf = []
        else:
            buf.append(ch)
        i += 1
    stmt = "".join(buf).strip()
    if stmt:
        statements.append(stmt)
    return statements


@dataclass(frozen=True)
class Schema:
    """One service's CQL schema: where it comes from (for messages) and its text."""

    origin: str
    cql: str


def check_idempotent(schema: Schema) -> list[str]:
    """The schema's statements; raises MigrationError naming the first that could not run twice."""
    statements = split_cql(schema.cql)
    for stmt in statements:
        if not _IDEMPOTENT_CQL.match(stmt):
            raise MigrationError(f"{schema.origin}: {_NOT_IDEMPOTENT}: {stmt[:80]!r}")
    return statements


def package_schemas(packages: Sequence[str]) -> list[Schema]:
    """The ``schema.cql`` packaged with each of ``packages`` (those without one are skipped), in the given order."""
    schemas = []
    for package in packages:
        resource = resources.files(package) / "schema.cql"
        if resource.is_file():
            schemas.append(Schema(f"{package}/schema.cql", resource.read_text(encoding="utf-8")))
    return schemas


def _replication_cql(replication: Replication) -> str:
    items = []
    for key, value in replication.items():
        if not re.match(r"^[A-Za-z0-9_.]+$", str(key)) or not re.match(r"^[A-Za-z0-9_.]+$", str(value)):
            raise MigrationError(f"invalid replication option {key!r}: {value!r}")
        items.append(f"'{key}': '{value}'")
    return "{" + ", ".join(items) + "}"


def _normalise_replication(replication: Mapping[str, Any]) -> dict[str, str]:
    out = {str(k): str(v) for k, v in replication.items()}
    out["class"] = out.get("class", "").rsplit(".", 1)[-1]
    return out


def _apply_cassandra(
    contact_points: Sequence[str],
    port: int,
    keyspaces: Sequence[KeyspaceSpec],
    schemas: Sequence[Schema],
    local_dc: str | None,
    timeout_s: float,
    security: CassandraSecurity,
) -> None:
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import DCAwareRoundRobinPolicy, RoundRobinPolicy

    policy = DCAwareRoundRobinPolicy(local_dc=local_dc) if local_dc else RoundRobinPolicy()
    profile = ExecutionProfile(load_balancing_policy=policy, request_timeout=timeout_s)
    cluster = Cluster(
        list(contact_points),
        **security.cluster_options(),
        port=port,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        connect_timeout=min(timeout_s, 30.0),
        max_schema_agreement_wait=int(timeout_s),
    )
    # offer v5 first without pinning it: the driver may still negotiate down (set after construction)
    cluster.protocol_version = 5
    try:
        session = cluster.connect()
        for ks in keyspaces:
            row = session.execute(
                "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = %s", (ks.name,)
            ).one()
            if row is None:
                log.info("creating keyspace %s %s", ks.name, dict(ks.replication))
                session.execute(
                    f"CREATE KEYSPACE IF NOT EXISTS {ks.name} WITH replication = {_replication_cql(ks.replication)}"
                )
            elif _normalise_replication(row.replication) != _normalise_replication(ks.replication):
                log.warning(
                    "keyspace %s has replication %s, topology says %s (left as is: change it with ALTER "
                    "KEYSPACE and a repair)",
                    ks.name,
                    dict(row.replication),
                    dict(ks.replication),
                )
        for schema in schemas:
            for stmt in check_idempotent(schema):
                try:
                    session.execute(stmt)
                except Exception as exc:
                    raise MigrationError(f"{schema.origin}: {exc} in statement {stmt[:200]!r}") from exc
            log.info("applied %s", schema.origin)
    finally:
        cluster.shutdown()


# ----------------------------------------------------------------------------------------- entry


@dataclass(frozen=True)
class Plan:
    """What `migrate()` brings the clusters to: the topics with their replication factor and every config it sets,
    the keyspaces with their replication, and each schema's statements (all checked idempotent)."""

    kafka_replication_factor: int
    topics: tuple[TopicSpec, ...]
    keyspaces: tuple[KeyspaceSpec, ...]
    statements: tuple[tuple[str, tuple[str, ...]], ...]


def plan(
    topology_path: Path | str | None = None,
    schemas: Sequence[Schema] = (),
    *,
    kafka_replication_factor: int | None = None,
    kafka_min_insync_replicas: int | None = None,
    cassandra_replication: Replication | None = None,
) -> Plan:
    """The migration's plan, validated, without touching a cluster (`csms migrate --dry-run` prints it)."""
    topology = load_topology(topology_path)
    statements = tuple((schema.origin, tuple(check_idempotent(schema))) for schema in schemas)
    keyspaces = topology.keyspaces
    if cassandra_replication is not None:
        _replication_cql(cassandra_replication)
        keyspaces = tuple(KeyspaceSpec(k.name, dict(cassandra_replication)) for k in keyspaces)
    rf = kafka_replication_factor or topology.kafka_replication_factor
    min_insync = kafka_min_insync_replicas or topology.kafka_min_insync_replicas
    if not 1 <= min_insync <= rf:
        raise MigrationError(f"min.insync.replicas {min_insync} must be 1..{rf} (the replication factor)")
    topics = tuple(
        TopicSpec(s.name, s.partitions, {**s.config, "min.insync.replicas": str(min_insync)}) for s in topology.topics
    )
    return Plan(rf, topics, keyspaces, statements)


async def migrate(
    kafka_bootstrap: str,
    cassandra_contact_points: list[str],
    cassandra_port: int,
    *,
    topology_path: Path | str | None = None,
    schemas: Sequence[Schema] = (),
    kafka_replication_factor: int | None = None,
    kafka_min_insync_replicas: int | None = None,
    cassandra_replication: Replication | None = None,
    local_dc: str | None = None,
    timeout_s: float = 60.0,
    kafka_security: KafkaSecurity = PLAINTEXT,
    cassandra_security: CassandraSecurity = NO_CASSANDRA_SECURITY,
) -> None:
    """Apply the topology and the given service schemas; idempotent.

    ``kafka_replication_factor``, ``kafka_min_insync_replicas`` and ``cassandra_replication`` override the
    topology's defaults (production: e.g. 3, 2 and ``{"class": "NetworkTopologyStrategy", "dc1": 3}``); the
    topics' ``min.insync.replicas`` is set on existing topics too.
    """
    steps = plan(
        topology_path,
        schemas,
        kafka_replication_factor=kafka_replication_factor,
        kafka_min_insync_replicas=kafka_min_insync_replicas,
        cassandra_replication=cassandra_replication,
    )
    rf, topic_specs, keyspaces = steps.kafka_replication_factor, steps.topics, steps.keyspaces

    async def kafka_part() -> None:
        admin = make_admin(kafka_bootstrap, "csms-migrate", security=kafka_security)
        await admin.start()
        try:
            await _ensure_topics(admin, topic_specs, rf, timeout_s)
        finally:
            await admin.close()

    cassandra_part = asyncio.to_thread(
        _apply_cassandra,
        cassandra_contact_points,
        cassandra_port,
        keyspaces,
        schemas,
        local_dc,
        timeout_s,
        cassandra_security,
    )
    await asyncio.gather(kafka_part(), cassandra_part)
