"""The station registry's persistence: the Cassandra adapter of the `StationRegistryRepository` port
(csms_authorization.ports).

`CassandraStationRegistry` owns tables `csms_authorization.stations` (credentials, enabled, pending credentials),
`station_promotions` (claims of a promotion, lightweight transactions), `station_groups` and `stations_by_group`
(schema.cql) and writes to `station_outbox` and `security_outbox`: a change that matters to the edge nodes is
stored with its `StationCredentialsChanged` event (and a promotion with its security events) in one logged batch
(the transactional outbox, as for tokens; docs/adr/0021, 0028). Every write carries its revision as the CQL write
timestamp, except the claims. Prepared statements at LOCAL_QUORUM through `csms.cassandra` (network I/O only).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from csms_authorization.adapters.outbox import (
    SECURITY_OUTBOX_TABLE,
    STATION_KEY,
    STATION_OUTBOX_TABLE,
    insert_params,
    outbox_insert,
)
from csms_authorization.adapters.store import KEYSPACE, InvalidPageToken, execute, execute_batch, utc
from csms_authorization.domain.credentials import InvalidCredentials, PasswordHash, check_stored_station_id
from csms_authorization.domain.stations import Change, StationRecord
from csms_authorization.ports import PROMOTION_CLAIM_TTL_S, PendingEvent
from csms_kernel.infra.batched_reads import BatchedReads
from csms_kernel.infra.cassandra import CassandraSession, Row

_COLUMNS = (
    "station_id, password_hash, salt, security_profile, created_at, updated_at, enabled,"
    " pending_password_hash, pending_salt, pending_security_profile, pending_revision"
)
# The columns each promotion writes (besides updated_at); the values come from `_values`.
_PROMOTED_COLUMNS: dict[Change, tuple[str, ...]] = {
    Change.PASSWORD_ROTATED: ("password_hash", "salt", "pending_password_hash", "pending_salt"),
    Change.SECURITY_PROFILE_UPGRADED: ("security_profile", "pending_security_profile"),
}

Statement = tuple[str, tuple[object, ...]]


class CassandraStationRegistry:
    def __init__(
        self,
        session: CassandraSession,
        outbox_table: str = STATION_OUTBOX_TABLE,
        security_outbox_table: str = SECURITY_OUTBOX_TABLE,
    ) -> None:
        self._session = session
        # the handshakes of a reconnect or boot storm read their stations together (csms_kernel.infra.batched_reads)
        self._records = BatchedReads(self._read)
        self._outbox_insert = outbox_insert(outbox_table, STATION_KEY)
        self._security_outbox_insert = outbox_insert(security_outbox_table, STATION_KEY)

    async def get(self, station_id: str) -> StationRecord | None:
        return await self._records.get(station_id)

    async def _read(self, station_ids: Sequence[str]) -> dict[str, StationRecord]:
        rows = await execute(
            self._session, f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations WHERE station_id IN ?", (station_ids,)
        )
        return {record.station_id: record for record in _records(rows)}

    async def save(self, record: StationRecord, revision: int, event: PendingEvent | None = None) -> None:
        values = _values(record)
        insert: Statement = (
            f"INSERT INTO {KEYSPACE}.stations ({_COLUMNS}) VALUES ({', '.join('?' * len(values))}) USING TIMESTAMP ?",
            (*values.values(), revision),
        )
        if event is None:
            await execute(self._session, *insert)
            return
        # Two partitions (the station's, the outbox shard's): the batch log makes them one.
        await execute_batch(self._session, [insert, (self._outbox_insert, insert_params(event))], logged=True)

    async def claim_promotion(self, station_id: str, pending_revision: int, promotion: Change) -> bool:
        rows = await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.station_promotions (station_id, pending_revision, promotion) VALUES (?, ?, ?)"
            " IF NOT EXISTS USING TTL ?",
            (station_id, pending_revision, promotion.value, PROMOTION_CLAIM_TTL_S),
            idempotent=False,
        )
        return bool(rows[0]["[applied]"])

    async def promote(
        self,
        record: StationRecord,
        promotions: Sequence[Change],
        revision: int,
        event: PendingEvent,
        security_events: Sequence[PendingEvent],
    ) -> None:
        values = _values(record)
        columns = ["updated_at", *(column for promotion in promotions for column in _PROMOTED_COLUMNS[promotion])]
        update: Statement = (
            f"UPDATE {KEYSPACE}.stations USING TIMESTAMP ? SET {', '.join(f'{c} = ?' for c in columns)}"
            " WHERE station_id = ?",
            (revision, *(values[c] for c in columns), record.station_id),
        )
        await execute_batch(
            self._session,
            [
                update,
                (self._outbox_insert, insert_params(event)),
                *((self._security_outbox_insert, insert_params(e)) for e in security_events),
            ],
            logged=True,
        )

    async def delete(self, station_id: str, event: PendingEvent) -> None:
        at = event.revision
        statements: list[Statement] = [
            (f"DELETE FROM {KEYSPACE}.stations USING TIMESTAMP ? WHERE station_id = ?", (at, station_id)),
            (f"DELETE FROM {KEYSPACE}.station_groups USING TIMESTAMP ? WHERE station_id = ?", (at, station_id)),
            (self._outbox_insert, insert_params(event)),
        ]
        group = (await self.groups([station_id])).get(station_id)
        if group is not None:
            statements.append(_leave(group, station_id, at))
        await execute_batch(self._session, statements, logged=True)

    async def list_page(
        self, page_size: int, page_token: bytes | None, group: str | None = None
    ) -> tuple[list[StationRecord], bytes | None]:
        # Keyset paging: the page token is the last station id of the previous page. Cassandra's own paging
        # state is not used because a forged one makes the server close the connection (a client could disrupt
        # every request on it); a station id is checked here before it reaches Cassandra.
        after = None if page_token is None else _last_station_id(page_token)
        if group is not None:
            return await self._group_page(group, page_size, after)
        if after is None:
            rows = await execute(self._session, f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations LIMIT ?", (page_size,))
        else:
            rows = await execute(
                self._session,
                f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations WHERE token(station_id) > token(?) LIMIT ?",
                (after, page_size),
            )
        next_token = rows[-1]["station_id"].encode() if len(rows) == page_size else None
        return _records(rows), next_token

    async def _group_page(
        self, group: str, page_size: int, after: str | None
    ) -> tuple[list[StationRecord], bytes | None]:
        # One partition of the group index, in station id order, then each record by its key.
        rows = await execute(
            self._session,
            f"SELECT station_id FROM {KEYSPACE}.stations_by_group WHERE group_name = ? AND station_id > ? LIMIT ?",
            (group, after or "", page_size),
        )
        ids = [row["station_id"] for row in rows]
        found = await asyncio.gather(*(self.get(station_id) for station_id in ids))
        next_token = ids[-1].encode() if len(ids) == page_size else None
        return [record for record in found if record is not None], next_token

    async def set_group(self, station_id: str, group: str | None, revision: int) -> None:
        previous = await self.groups([station_id])
        old = previous.get(station_id)
        if old is not None and old != group:
            await execute(self._session, *_leave(old, station_id, revision))
        if group is None:
            await execute(
                self._session,
                f"DELETE FROM {KEYSPACE}.station_groups USING TIMESTAMP ? WHERE station_id = ?",
                (revision, station_id),
            )
            return
        await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.stations_by_group (group_name, station_id) VALUES (?, ?) USING TIMESTAMP ?",
            (group, station_id, revision),
        )
        await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.station_groups (station_id, group_name) VALUES (?, ?) USING TIMESTAMP ?",
            (station_id, group, revision),
        )

    async def groups(self, station_ids: Sequence[str]) -> dict[str, str]:
        if not station_ids:
            return {}
        rows = await execute(
            self._session,
            f"SELECT station_id, group_name FROM {KEYSPACE}.station_groups WHERE station_id IN ?",
            (list(station_ids),),
        )
        return {row["station_id"]: row["group_name"] for row in rows}

    async def stations_in_group(self, group: str) -> list[str]:
        rows = await execute(
            self._session, f"SELECT station_id FROM {KEYSPACE}.stations_by_group WHERE group_name = ?", (group,)
        )
        return [row["station_id"] for row in rows]


def _leave(group: str, station_id: str, revision: int) -> Statement:
    return (
        f"DELETE FROM {KEYSPACE}.stations_by_group USING TIMESTAMP ? WHERE group_name = ? AND station_id = ?",
        (revision, group, station_id),
    )


def _last_station_id(page_token: bytes) -> str:
    try:
        station_id = page_token.decode("utf-8")
        check_stored_station_id(station_id)
    except (UnicodeDecodeError, InvalidCredentials) as exc:
        raise InvalidPageToken("page token is not one this store issued") from exc
    return station_id


def _values(record: StationRecord) -> dict[str, object]:
    """The record's column values, in the order of `_COLUMNS`."""
    return {
        "station_id": record.station_id,
        "password_hash": None if record.password is None else record.password.digest,
        "salt": None if record.password is None else record.password.salt,
        "security_profile": record.security_profile,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "enabled": record.enabled,
        "pending_password_hash": None if record.pending_password is None else record.pending_password.digest,
        "pending_salt": None if record.pending_password is None else record.pending_password.salt,
        "pending_security_profile": record.pending_security_profile,
        "pending_revision": record.pending_revision,
    }


def _records(rows: Sequence[Row]) -> list[StationRecord]:
    # A row without created_at is what a promotion racing a deletion left of it (an UPDATE stamped after the
    # deletion's tombstone): the station is deleted.
    return [_record(row) for row in rows if row["created_at"] is not None]


def _hash(digest: bytes | None, salt: bytes | None) -> PasswordHash | None:
    return None if digest is None or salt is None else PasswordHash(digest=digest, salt=salt)


def _record(row: Row) -> StationRecord:
    return StationRecord(
        station_id=row["station_id"],
        password=_hash(row["password_hash"], row["salt"]),
        security_profile=row["security_profile"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
        enabled=row["enabled"] is not False,  # null: registered before stations could be disabled
        pending_password=_hash(row["pending_password_hash"], row["pending_salt"]),
        pending_security_profile=row["pending_security_profile"],
        # null: written before pending credentials existed
        pending_revision=row["pending_revision"] or 0,
    )
