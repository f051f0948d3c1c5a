"""The Cassandra adapter of the `ApiKeyStore` port: table `csms_api.api_keys` (schema.cql), prepared statements
at LOCAL_QUORUM through the kernel's session (network I/O only). Used by the api service and by
`csms api-keys` (which must work before the API runs).

Listings page by key in token order (`token(key_id) > token(?)`), the key id being checked before it is bound,
so nothing a client sends reaches Cassandra as a paging state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from csms_api.domain.keys import ApiKey, Scope, check_key_id
from csms_api.ports import StoreUnavailable
from csms_kernel.infra.cassandra import TRANSIENT_ERRORS, CassandraSession, Row

KEYSPACE = "csms_api"
_COLUMNS = "key_id, name, scope, key_sha256, created_at, revoked_at"


class CassandraApiKeyStore:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._table = f"{keyspace}.api_keys"

    async def get(self, key_id: str) -> ApiKey | None:
        rows = await self._run(f"SELECT {_COLUMNS} FROM {self._table} WHERE key_id = ?", (key_id,))
        return _key(rows[0]) if rows else None

    async def add(self, key: ApiKey) -> bool:
        params = (key.key_id, key.name, key.scope.value, key.digest, key.created_at, key.revoked_at)
        rows = await self._run(
            f"INSERT INTO {self._table} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS",
            params,
            idempotent=False,
        )
        return bool(rows[0]["[applied]"])

    async def set_revoked(self, key: ApiKey) -> None:
        await self._run(f"UPDATE {self._table} SET revoked_at = ? WHERE key_id = ?", (key.revoked_at, key.key_id))

    async def list_page(self, limit: int, after: str | None) -> tuple[list[ApiKey], str | None]:
        if after is None:
            rows = await self._run(f"SELECT {_COLUMNS} FROM {self._table} LIMIT ?", (limit,))
        else:
            check_key_id(after)
            rows = await self._run(
                f"SELECT {_COLUMNS} FROM {self._table} WHERE token(key_id) > token(?) LIMIT ?", (after, limit)
            )
        keys = [_key(row) for row in rows]
        return keys, keys[-1].key_id if len(keys) == limit else None

    async def _run(self, cql: str, params: tuple[object, ...], *, idempotent: bool = True) -> list[Row]:
        try:
            statement = await self._session.prepare(cql, idempotent=idempotent)
            return await self._session.execute(statement, params)
        except TRANSIENT_ERRORS as exc:
            raise StoreUnavailable(f"the API key store did not answer ({type(exc).__name__})") from exc


def _key(row: Row) -> ApiKey:
    revoked_at: datetime | None = row["revoked_at"]
    return ApiKey(
        key_id=row["key_id"],
        name=row["name"],
        scope=Scope(row["scope"]),
        digest=row["key_sha256"],
        # The driver returns naive datetimes in UTC.
        created_at=row["created_at"].replace(tzinfo=UTC),
        revoked_at=revoked_at.replace(tzinfo=UTC) if revoked_at is not None else None,
    )
