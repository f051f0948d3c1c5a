"""The station registry's persistence: the Cassandra adapter of the `StationRegistryRepository` port
(csms_authorization.ports).

`CassandraStationRegistry` owns tables `csms_authorization.stations` (credentials), `station_groups` and
`stations_by_group` (schema.cql) and talks to them with prepared, idempotent statements at LOCAL_QUORUM
through `csms.cassandra` (network I/O only).
"""

from __future__ import annotations

from collections.abc import Sequence

from csms_authorization.adapters.store import KEYSPACE, InvalidPageToken, execute, utc
from csms_authorization.domain.credentials import InvalidCredentials, PasswordHash, check_station_id
from csms_authorization.ports import StationRecord
from csms_kernel.infra.cassandra import CassandraSession, Row

_COLUMNS = "station_id, password_hash, salt, security_profile, created_at, updated_at"
GROUP_MAX_LENGTH = 64


def check_group(group: str) -> None:
    """1..64 printable ASCII characters without spaces."""
    if not 1 <= len(group) <= GROUP_MAX_LENGTH or not all("!" <= c <= "~" for c in group):
        raise InvalidCredentials(f"group must be 1..{GROUP_MAX_LENGTH} printable ASCII characters without spaces")


class CassandraStationRegistry:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def get(self, station_id: str) -> StationRecord | None:
        rows = await execute(
            self._session, f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations WHERE station_id = ?", (station_id,)
        )
        return _record(rows[0]) if rows else None

    async def save(self, record: StationRecord) -> None:
        params = (
            record.station_id,
            record.password.digest,
            record.password.salt,
            record.security_profile,
            record.created_at,
            record.updated_at,
        )
        await execute(self._session, f"INSERT INTO {KEYSPACE}.stations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", params)

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[StationRecord], bytes | None]:
        # Keyset paging in token order: the page token is the last station id of the previous page. Cassandra's
        # own paging state is not used because a forged one makes the server close the connection (a client
        # could disrupt every request on it); a station id is checked here before it reaches Cassandra.
        if page_token is None:
            rows = await execute(self._session, f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations LIMIT ?", (page_size,))
        else:
            rows = await execute(
                self._session,
                f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations WHERE token(station_id) > token(?) LIMIT ?",
                (_last_station_id(page_token), page_size),
            )
        records = [_record(row) for row in rows]
        next_token = records[-1].station_id.encode() if len(records) == page_size else None
        return records, next_token

    async def set_group(self, station_id: str, group: str | None) -> None:
        previous = await self.groups([station_id])
        old = previous.get(station_id)
        if old is not None and old != group:
            await execute(
                self._session,
                f"DELETE FROM {KEYSPACE}.stations_by_group WHERE group_name = ? AND station_id = ?",
                (old, station_id),
            )
        if group is None:
            await execute(self._session, f"DELETE FROM {KEYSPACE}.station_groups WHERE station_id = ?", (station_id,))
            return
        await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.stations_by_group (group_name, station_id) VALUES (?, ?)",
            (group, station_id),
        )
        await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.station_groups (station_id, group_name) VALUES (?, ?)",
            (station_id, group),
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


def _last_station_id(page_token: bytes) -> str:
    try:
        station_id = page_token.decode("utf-8")
        check_station_id(station_id)
    except (UnicodeDecodeError, InvalidCredentials) as exc:
        raise InvalidPageToken("page token is not one this store issued") from exc
    return station_id


def _record(row: Row) -> StationRecord:
    return StationRecord(
        station_id=row["station_id"],
        password=PasswordHash(digest=row["password_hash"], salt=row["salt"]),
        security_profile=row["security_profile"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )
