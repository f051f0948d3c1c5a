"""The station registry's persistence: the `StationRegistryRepository` port and its Cassandra adapter.

`CassandraStationRegistry` owns table `csms_authorization.stations` (schema.cql) and talks to it with
prepared, idempotent statements at LOCAL_QUORUM through `csms.cassandra` (network I/O only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from authorization.credentials import InvalidCredentials, PasswordHash, check_station_id
from csms.cassandra import TRANSIENT_ERRORS, CassandraSession, Row

KEYSPACE = "csms_authorization"
_COLUMNS = "station_id, password_hash, salt, security_profile, created_at, updated_at"


@dataclass(frozen=True)
class StationRecord:
    station_id: str
    password: PasswordHash
    security_profile: int
    created_at: datetime
    updated_at: datetime


class InvalidPageToken(ValueError):
    """The page token was not produced by this registry's `list_page`."""


class RegistryUnavailable(Exception):
    """The store did not answer, even after retries."""


class StationRegistryRepository(Protocol):
    async def get(self, station_id: str) -> StationRecord | None: ...

    async def save(self, record: StationRecord) -> None:
        """Creates or replaces the station's record."""

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[StationRecord], bytes | None]:
        """One page of at most `page_size` stations in a stable order, and the token of the next page (None
        after the last). Every station present during the whole listing appears exactly once."""


class CassandraStationRegistry:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def get(self, station_id: str) -> StationRecord | None:
        statement = await self._session.prepare(
            f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations WHERE station_id = ?", idempotent=True
        )
        try:
            rows = await self._session.execute(statement, (station_id,))
        except TRANSIENT_ERRORS as exc:
            raise RegistryUnavailable(str(exc)) from exc
        return _record(rows[0]) if rows else None

    async def save(self, record: StationRecord) -> None:
        statement = await self._session.prepare(
            f"INSERT INTO {KEYSPACE}.stations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", idempotent=True
        )
        params = (
            record.station_id,
            record.password.digest,
            record.password.salt,
            record.security_profile,
            record.created_at,
            record.updated_at,
        )
        try:
            await self._session.execute(statement, params)
        except TRANSIENT_ERRORS as exc:
            raise RegistryUnavailable(str(exc)) from exc

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[StationRecord], bytes | None]:
        # Keyset paging in token order: the page token is the last station id of the previous page. Cassandra's
        # own paging state is not used because a forged one makes the server close the connection (a client
        # could disrupt every request on it); a station id is checked here before it reaches Cassandra.
        if page_token is None:
            statement = await self._session.prepare(
                f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations LIMIT ?", idempotent=True
            )
            params: tuple[object, ...] = (page_size,)
        else:
            statement = await self._session.prepare(
                f"SELECT {_COLUMNS} FROM {KEYSPACE}.stations WHERE token(station_id) > token(?) LIMIT ?",
                idempotent=True,
            )
            params = (_last_station_id(page_token), page_size)
        try:
            rows = await self._session.execute(statement, params)
        except TRANSIENT_ERRORS as exc:
            raise RegistryUnavailable(str(exc)) from exc
        records = [_record(row) for row in rows]
        next_token = records[-1].station_id.encode() if len(records) == page_size else None
        return records, next_token


def _last_station_id(page_token: bytes) -> str:
    try:
        station_id = page_token.decode("utf-8")
        check_station_id(station_id)
    except (UnicodeDecodeError, InvalidCredentials) as exc:
        raise InvalidPageToken("page token is not one this registry issued") from exc
    return station_id


def _record(row: Row) -> StationRecord:
    return StationRecord(
        station_id=row["station_id"],
        password=PasswordHash(digest=row["password_hash"], salt=row["salt"]),
        security_profile=row["security_profile"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
    )


def _utc(value: datetime) -> datetime:
    """The driver returns naive datetimes in UTC."""
    return value.replace(tzinfo=UTC)
