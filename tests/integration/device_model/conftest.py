"""Fixtures for the device-model integration tests: command tables of their own for what every device-model
instance's sweep and event relay read (`open_commands`, `command_outbox`), made from the statements in schema.cql,
so that a stack running on the same Cassandra leaves the tests' rows alone; the records and the other indexes
are keyed by ids unique to each test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms_device_model.adapters.command_store import KEYSPACE, CommandTables
from csms_kernel.infra import cassandra
from csms_kernel.migrate import package_schemas, split_cql


@pytest.fixture(scope="module")
async def command_tables(session: cassandra.CassandraSession) -> AsyncIterator[CommandTables]:
    (schema,) = package_schemas(["csms_device_model"])
    suffix = uuid.uuid4().hex[:12]
    made = []
    for table in ("open_commands", "command_outbox"):
        (create,) = [s for s in split_cql(schema.cql) if f"{KEYSPACE}.{table} (" in s]
        await session.execute(create.replace(f"{KEYSPACE}.{table} (", f"{KEYSPACE}.{table}_{suffix} ("))
        made.append(f"{KEYSPACE}.{table}_{suffix}")
    yield CommandTables(open_commands=made[0], outbox=made[1])
    for table in made:
        await session.execute(f"DROP TABLE IF EXISTS {table}")
