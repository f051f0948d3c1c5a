"""Local authorization list persistence: the Cassandra adapter of the `LocalListStore` port
(csms_authorization.ports).

The list is every token flagged `local_list`. Each change gets the next list version: an entry remembers the
version that made it what it is (`changed_in`), and a token leaving the list stays as a removed entry, so a
differential update can be computed from any version a station holds. The list version each station holds is
kept per station. `CassandraLocalListStore` owns tables `local_list_entries` (one partition, the version in a
static column, bumped with a lightweight transaction) and `station_local_list_versions`. Network I/O only.
"""

from __future__ import annotations

from datetime import datetime

from csms_authorization.adapters.store import KEYSPACE, execute, utc
from csms_authorization.adapters.token_store import TOKEN_COLUMNS, token_of, token_params
from csms_authorization.domain.tokens import TokenRecord
from csms_authorization.ports import ListEntry, ListSnapshot, StationListVersion
from csms_kernel.infra.cassandra import CassandraSession

LIST_NAME = "default"


class CassandraLocalListStore:
    def __init__(self, session: CassandraSession, list_name: str = LIST_NAME) -> None:
        self._session = session
        self._list = list_name

    async def record_change(self, token: TokenRecord, in_list: bool) -> int:
        current = await self._version()
        while True:
            new = (current or 0) + 1
            # The entry is written before the version moves to it, so a reader that sees version N also sees
            # every entry changed in N or before.
            await execute(
                self._session,
                f"INSERT INTO {KEYSPACE}.local_list_entries"
                f" (list_name, token_key, changed_in, removed, {TOKEN_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self._list, token.key, new, not in_list, *token_params(token)),
            )
            rows = await execute(
                self._session,
                f"UPDATE {KEYSPACE}.local_list_entries SET version = ? WHERE list_name = ? IF version = ?",
                (new, self._list, current),
                idempotent=False,
            )
            if rows[0]["[applied]"]:
                return new
            current = rows[0]["version"]

    async def snapshot(self) -> ListSnapshot:
        rows = await execute(
            self._session,
            f"SELECT version, token_key, changed_in, removed, {TOKEN_COLUMNS}"
            f" FROM {KEYSPACE}.local_list_entries WHERE list_name = ?",
            (self._list,),
        )
        version = (rows[0]["version"] or 0) if rows else 0
        entries = [
            ListEntry(row["changed_in"], token_of(row), bool(row["removed"]))
            for row in rows
            if row["token_key"] is not None  # a partition with only the static version has one such row
        ]
        return ListSnapshot(version, entries)

    async def station_version(self, station_id: str) -> StationListVersion | None:
        rows = await execute(
            self._session,
            f"SELECT version, recorded_at FROM {KEYSPACE}.station_local_list_versions WHERE station_id = ?",
            (station_id,),
        )
        return StationListVersion(rows[0]["version"], utc(rows[0]["recorded_at"])) if rows else None

    async def record_station_version(self, station_id: str, version: int, at: datetime) -> None:
        await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.station_local_list_versions (station_id, version, recorded_at) VALUES (?, ?, ?)",
            (station_id, version, at),
        )

    async def _version(self) -> int | None:
        rows = await execute(
            self._session,
            f"SELECT version FROM {KEYSPACE}.local_list_entries WHERE list_name = ? LIMIT 1",
            (self._list,),
        )
        return rows[0]["version"] if rows else None
