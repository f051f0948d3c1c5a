"""Credential rotation against the real Cassandra (docs/adr/0028): `csms migrate` adds the pending-credential
columns to a `stations` table created before them, keeping its rows; and two verifications racing with the
pending password (two service instances, as two edge nodes asking two authorization instances) promote it once:
one PASSWORD_ROTATED event, one security event, and the old password refused afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms.security.v1 import security_pb2
from csms_authorization.adapters.outbox import STATION_KEY, CassandraOutbox
from csms_authorization.adapters.registry import CassandraStationRegistry
from csms_authorization.adapters.store import KEYSPACE
from csms_authorization.app.station_service import StationService
from csms_authorization.domain.credentials import PasswordHasher
from csms_authorization.domain.stations import Registration, StationChanges, Verdict
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.client_security import NO_CASSANDRA_SECURITY
from csms_kernel.migrate import KeyspaceSpec, Schema, _apply_cassandra, package_schemas
from infra_fixtures import Infra

pytestmark = pytest.mark.integration

PASSWORD = "the-current-password"
NEW_PASSWORD = "the-rotated-password"

# `stations` as clusters migrated before pending credentials have it (schema.cql at commit 24df4ab).
BEFORE = [
    """CREATE TABLE IF NOT EXISTS {ks}.stations (
    station_id text PRIMARY KEY,
    password_hash blob,
    salt blob,
    security_profile int,
    created_at timestamp,
    updated_at timestamp
)""",
    "ALTER TABLE {ks}.stations ADD IF NOT EXISTS enabled boolean",
]


@pytest.fixture
async def scratch_keyspace(session: CassandraSession) -> AsyncIterator[str]:
    keyspace = f"csms_authorization_mig_{uuid.uuid4().hex[:10]}"
    await session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    yield keyspace
    await session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")


async def test_migrate_adds_the_pending_columns_to_an_existing_stations_table(
    session: CassandraSession, infra: Infra, scratch_keyspace: str
) -> None:
    for statement in BEFORE:
        await session.execute(statement.format(ks=scratch_keyspace))
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    await session.execute(
        f"INSERT INTO {scratch_keyspace}.stations (station_id, password_hash, salt, security_profile, created_at,"
        " updated_at, enabled) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        ("CP-old", b"\x01" * 32, b"\x02" * 16, 2, created, created, True),
    )
    (schema,) = package_schemas(["csms_authorization"])
    current = Schema(schema.origin, schema.cql.replace(f"{KEYSPACE}.", f"{scratch_keyspace}."))
    keyspace = KeyspaceSpec(scratch_keyspace, {"class": "SimpleStrategy", "replication_factor": 1})
    for _ in range(2):  # as `csms migrate`, any number of times
        await asyncio.to_thread(
            _apply_cassandra,
            infra.cassandra_contact_points,
            infra.cassandra_port,
            [keyspace],
            [current],
            infra.local_dc,
            60.0,
            NO_CASSANDRA_SECURITY,
        )
    rows = await session.execute(
        f"SELECT station_id, password_hash, security_profile, enabled, pending_password_hash, pending_salt,"
        f" pending_security_profile, pending_revision FROM {scratch_keyspace}.stations"
    )
    assert rows == [
        {
            "station_id": "CP-old",
            "password_hash": b"\x01" * 32,
            "security_profile": 2,
            "enabled": True,
            "pending_password_hash": None,
            "pending_salt": None,
            "pending_security_profile": None,
            "pending_revision": None,
        }
    ]
    tables = await session.execute(
        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s", (scratch_keyspace,)
    )
    assert {"station_promotions", "security_outbox"} <= {row["table_name"] for row in tables}


def now() -> datetime:
    return datetime.now(UTC)


async def test_two_verifications_racing_with_the_pending_password_promote_once(
    session: CassandraSession, station_outbox_table: str, security_outbox_table: str
) -> None:
    station_id = f"CP-race-{uuid.uuid4().hex[:8]}"
    hasher = PasswordHasher(b"pepper")

    def instance() -> StationService:
        return StationService(
            CassandraStationRegistry(session, station_outbox_table, security_outbox_table), hasher, now
        )

    first, second = instance(), instance()
    assert await first.register(Registration(station_id, PASSWORD, 1))
    await first.update(station_id, StationChanges(pending_password=NEW_PASSWORD, pending_security_profile=2))

    answers = await asyncio.gather(
        *(service.verify(station_id, NEW_PASSWORD, 2) for service in (first, second, first, second))
    )
    assert [verdict for verdict, _ in answers] == [Verdict.ACCEPTED] * 4
    assert {record.security_profile for _, record in answers if record is not None} == {2}

    stations = CassandraOutbox(session, station_outbox_table, STATION_KEY)
    events = [
        pb.StationCredentialsChanged.FromString(e.event) for e in await stations.pending(100) if e.key == station_id
    ]
    # each promotion is claimed once; two verifiers racing may each win one of them (two events) or one both
    assert sorted(change for e in events for change in e.changes) == [
        pb.STATION_CHANGE_REGISTERED,
        pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED,
        pb.STATION_CHANGE_PASSWORD_ROTATED,
        pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED,
    ]
    security = CassandraOutbox(session, security_outbox_table, STATION_KEY)
    recorded = [
        security_pb2.SecurityEventRecorded.FromString(e.event)
        for e in await security.pending(100)
        if e.key == station_id
    ]
    assert sorted(r.event.type for r in recorded) == ["password_rotated", "security_profile_upgraded"]

    stored = await second.get(station_id)
    assert stored is not None
    assert (stored.record.security_profile, stored.record.pending_password, stored.record.pending_security_profile) == (
        2,
        None,
        None,
    )
    assert (await second.verify(station_id, PASSWORD, 2))[0] is Verdict.WRONG_PASSWORD
    assert (await second.verify(station_id, NEW_PASSWORD, 1))[0] is Verdict.PROFILE_TOO_LOW
    assert (await first.verify(station_id, NEW_PASSWORD, 2))[0] is Verdict.ACCEPTED
