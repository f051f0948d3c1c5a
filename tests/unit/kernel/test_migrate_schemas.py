"""The migration's rule for service schemas: only statements that can run again on a migrated cluster."""

from __future__ import annotations

import pytest

from csms_cli.serve import service_schemas
from csms_kernel.migrate import MigrationError, Schema, check_idempotent


def test_every_packaged_schema_can_run_twice() -> None:
    for schema in service_schemas():
        assert check_idempotent(schema)


@pytest.mark.parametrize(
    "cql",
    [
        "CREATE TABLE IF NOT EXISTS ks.t (id text PRIMARY KEY)",
        "create index if not exists on ks.t (v)",
        "ALTER TABLE ks.t ADD IF NOT EXISTS enabled boolean",
        "alter table ks.t add if not exists (a int, b text)",
    ],
)
def test_idempotent_statements_pass(cql: str) -> None:
    assert check_idempotent(Schema("svc/schema.cql", cql + ";")) == [cql]


@pytest.mark.parametrize(
    "cql",
    [
        "CREATE TABLE ks.t (id text PRIMARY KEY)",
        "ALTER TABLE ks.t ADD enabled boolean",
        "ALTER TABLE ks.t DROP IF EXISTS enabled",
        "DROP TABLE IF EXISTS ks.t",
        "INSERT INTO ks.t (id) VALUES ('IF NOT EXISTS')",
    ],
)
def test_other_statements_are_refused_naming_the_schema(cql: str) -> None:
    with pytest.raises(MigrationError, match=r"^svc/schema.cql: not a 'CREATE \.\.\. IF NOT EXISTS' or"):
        check_idempotent(Schema("svc/schema.cql", f"CREATE TABLE IF NOT EXISTS ks.ok (id int PRIMARY KEY); {cql};"))
