"""Fixtures of the firmware artifacts' integration tests: a real S3-compatible server once per session
(kit/s3_server.py) and the csms_firmware tables (schema.cql, applied here too so these tests do not depend on the
service being registered with `csms migrate`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.migrate import package_schemas, split_cql
from kit.s3_server import S3Endpoint, start_s3


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Endpoint]:
    endpoint, stop = start_s3(tmp_path_factory.mktemp("s3"))
    try:
        yield endpoint
    finally:
        stop()


@pytest.fixture(scope="module")
async def firmware_session(session: CassandraSession) -> CassandraSession:
    await session.execute(
        "CREATE KEYSPACE IF NOT EXISTS csms_firmware WITH replication = "
        "{'class': 'SimpleStrategy', 'replication_factor': 1}"
    )
    (schema,) = package_schemas(["csms_firmware"])
    for statement in split_cql(schema.cql):
        await session.execute(statement)
    return session
