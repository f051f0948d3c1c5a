"""Id token persistence: the Cassandra adapter of the `TokenStore` port (csms_authorization.ports).

A change of a token is stored with its event in one request: the event waits in the outbox (`outbox`) until
the relay has published it. `CassandraTokenStore` owns table `csms_authorization.id_tokens` (schema.cql), keyed
by the token's matching key (upper case), and writes to `token_outbox`; prepared, idempotent statements at
LOCAL_QUORUM (read-your-writes for the Authorize handlers). Network I/O only.
"""

from __future__ import annotations

from csms_authorization.adapters.outbox import OUTBOX_TABLE, insert_params, outbox_insert
from csms_authorization.adapters.store import KEYSPACE, InvalidPageToken, execute, execute_batch, utc
from csms_authorization.domain.tokens import InvalidToken, TokenRecord, TokenStatus, TokenType, check_id_token
from csms_authorization.ports import PendingEvent
from csms_kernel.infra.cassandra import CassandraSession, Row

TOKEN_COLUMNS = (
    "id_token, token_type, status, expires_at, group_id_token, station_ids, local_list, created_at, updated_at"
)


class CassandraTokenStore:
    def __init__(self, session: CassandraSession, outbox_table: str = OUTBOX_TABLE) -> None:
        self._session = session
        self._outbox_insert = outbox_insert(outbox_table)

    async def get(self, key: str) -> TokenRecord | None:
        rows = await execute(
            self._session, f"SELECT {TOKEN_COLUMNS} FROM {KEYSPACE}.id_tokens WHERE token_key = ?", (key,)
        )
        return token_of(rows[0]) if rows else None

    async def save(self, record: TokenRecord, event: PendingEvent) -> None:
        insert = (
            f"INSERT INTO {KEYSPACE}.id_tokens (token_key, {TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " USING TIMESTAMP ?"
        )
        await self._with_event((insert, (record.key, *token_params(record), event.revision)), event)

    async def delete(self, key: str, event: PendingEvent) -> None:
        delete = f"DELETE FROM {KEYSPACE}.id_tokens USING TIMESTAMP ? WHERE token_key = ?"
        await self._with_event((delete, (event.revision, key)), event)

    async def _with_event(self, change: tuple[str, tuple[object, ...]], event: PendingEvent) -> None:
        # Two partitions (the token's, the outbox shard's): the batch log makes them one.
        await execute_batch(self._session, [change, (self._outbox_insert, insert_params(event))], logged=True)

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[TokenRecord], bytes | None]:
        # Keyset paging in token order, the page token being the last key of the previous page, checked before
        # it reaches Cassandra (a forged Cassandra paging state would make the server drop the connection).
        if page_token is None:
            rows = await execute(
                self._session, f"SELECT token_key, {TOKEN_COLUMNS} FROM {KEYSPACE}.id_tokens LIMIT ?", (page_size,)
            )
        else:
            rows = await execute(
                self._session,
                f"SELECT token_key, {TOKEN_COLUMNS} FROM {KEYSPACE}.id_tokens"
                " WHERE token(token_key) > token(?) LIMIT ?",
                (_last_key(page_token), page_size),
            )
        records = [token_of(row) for row in rows]
        next_token = rows[-1]["token_key"].encode() if len(rows) == page_size else None
        return records, next_token


def _last_key(page_token: bytes) -> str:
    try:
        key = page_token.decode("ascii")
        check_id_token(key)
    except (UnicodeDecodeError, InvalidToken) as exc:
        raise InvalidPageToken("page token is not one this store issued") from exc
    return key


def token_params(record: TokenRecord) -> tuple[object, ...]:
    """The values of `TOKEN_COLUMNS`, in order."""
    return (
        record.id_token,
        record.type.value,
        record.status.value,
        record.expires_at,
        record.group_id_token,
        set(record.station_ids),
        record.local_list,
        record.created_at,
        record.updated_at,
    )


def token_of(row: Row) -> TokenRecord:
    """The token in a row holding `TOKEN_COLUMNS`."""
    return TokenRecord(
        id_token=row["id_token"],
        type=TokenType(row["token_type"]),
        status=TokenStatus(row["status"]),
        expires_at=utc(row["expires_at"]) if row["expires_at"] is not None else None,
        group_id_token=row["group_id_token"],
        station_ids=frozenset(row["station_ids"] or ()),
        local_list=bool(row["local_list"]),
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )
