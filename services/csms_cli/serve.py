"""`csms serve SERVICE` and `csms migrate`: run a service process in the foreground, or the migration once.

The service packages are imported only when asked for, so the CLI works without their dependencies.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys

from csms_cli import exit_codes
from csms_kernel.infra.settings import CommonSettings, common
from csms_kernel.migrate import Schema, package_schemas
from csms_kernel.telemetry.logs import configure_logging

SERVICES = {
    "edge": "csms_edge",
    "device-model": "csms_device_model",
    "authorization": "csms_authorization",
    "transactions": "csms_transactions",
    "security": "csms_security",
    "firmware": "csms_firmware",
    "smart-charging": "csms_smart_charging",
    "api": "csms_api",
}


class MigrateSettings(CommonSettings):
    """`csms migrate`: the common settings (Kafka and Cassandra, with their credentials and TLS) and the
    production overrides of the topology's replication."""

    kafka_replication_factor: int | None = common(
        None,
        "kafka_replication_factor",
        "Replication factor of the topics it creates (unset: topology.toml's, 1); production: 3.",
    )
    kafka_min_insync_replicas: int | None = common(
        None,
        "kafka_min_insync_replicas",
        "min.insync.replicas of every topic, set on existing ones too (unset: topology.toml's, 1); production: 2 "
        "with replication 3. At most the replication factor.",
    )
    cassandra_replication: dict[str, str | int] | None = common(
        None,
        "cassandra_replication",
        "Replication of the keyspaces it creates, JSON (unset: topology.toml's, SimpleStrategy 1); production: e.g. "
        '`{"class": "NetworkTopologyStrategy", "dc1": 3}`. Existing keyspaces are left as they are.',
    )


def service_schemas() -> list[Schema]:
    """The Cassandra schema of every service that has one (`schema.cql` packaged with it)."""
    return package_schemas(list(SERVICES.values()))


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve_parser = commands.add_parser("serve", help="run a service in the foreground until SIGTERM")
    serve_parser.add_argument("service", choices=sorted(SERVICES), metavar="SERVICE", help="{%(choices)s}")
    serve_parser.set_defaults(handler=serve, uses_client=False)
    migrate_parser = commands.add_parser("migrate", help="create Kafka topics and Cassandra tables (idempotent)")
    migrate_parser.add_argument(
        "--dry-run", action="store_true", help="print what it would create (validated), connecting to nothing"
    )
    migrate_parser.set_defaults(handler=migrate, uses_client=False)


def serve(args: argparse.Namespace) -> int:
    """Runs the service until SIGTERM/SIGINT: its `bootstrap.main()`, as `python -m <package>` does."""
    package = SERVICES[args.service]
    module_name = f"{package}.bootstrap"
    try:
        bootstrap = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in (package, module_name):
            raise
        print(f"error: the {args.service} service is not available ({exc})", file=sys.stderr)
        return exit_codes.FAILED
    bootstrap.main()
    return exit_codes.OK


def migrate(args: argparse.Namespace) -> int:
    """Creates the Kafka topics, Cassandra keyspaces and tables (idempotent); settings from `CSMS_*`."""
    from csms_kernel import migrate as migration

    settings = MigrateSettings()
    configure_logging(settings.log_level)
    if args.dry_run:
        return dry_run(settings)
    try:
        asyncio.run(
            migration.migrate(
                settings.kafka_bootstrap,
                settings.cassandra_contact_points,
                settings.cassandra_port,
                schemas=service_schemas(),
                kafka_replication_factor=settings.kafka_replication_factor,
                kafka_min_insync_replicas=settings.kafka_min_insync_replicas,
                cassandra_replication=settings.cassandra_replication,
                local_dc=settings.cassandra_local_dc,
                kafka_security=settings.kafka_security,
                cassandra_security=settings.cassandra_security,
            )
        )
    except migration.MigrationError as exc:
        print(f"error: migration failed: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    print("migrated")
    return exit_codes.OK


def dry_run(settings: MigrateSettings) -> int:
    """Prints the migration's plan (topics, keyspaces, statements per schema) without connecting to anything."""
    from csms_kernel import migrate as migration

    try:
        steps = migration.plan(
            schemas=service_schemas(),
            kafka_replication_factor=settings.kafka_replication_factor,
            kafka_min_insync_replicas=settings.kafka_min_insync_replicas,
            cassandra_replication=settings.cassandra_replication,
        )
    except migration.MigrationError as exc:
        print(f"error: invalid migration: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    print(f"would migrate Kafka at {settings.kafka_bootstrap} (replication factor {steps.kafka_replication_factor}):")
    for topic in steps.topics:
        config = " ".join(f"{key}={value}" for key, value in sorted(topic.config.items()))
        print(f"  topic {topic.name} partitions={topic.partitions} {config}")
    print(f"and Cassandra at {','.join(settings.cassandra_contact_points)}:{settings.cassandra_port}:")
    for keyspace in steps.keyspaces:
        print(f"  keyspace {keyspace.name} replication={dict(keyspace.replication)}")
    for origin, statements in steps.statements:
        print(f"  {origin}: {len(statements)} statements")
    return exit_codes.OK
