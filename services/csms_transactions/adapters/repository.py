"""The transactions read models in Cassandra: queries for the gRPC API (the projection writes them).

Listings page by key: a page token names the last index entry returned (base64 JSON), and is only ever bound
as CQL values, never handed to Cassandra as a paging state. Which index a listing reads: the station's when
a station is given, else the token's, else the active transactions (active only, no time range), else the
days. Filters the index cannot apply are applied to the rows, reading on until a page is full.
The Cassandra implementation of the `TransactionsRepository` port (`ports.py`); the fake is in tests/kit.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cassandra.query import PreparedStatement

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import micros
from csms_transactions.adapters.state_store import MAX_INT32
from csms_transactions.ports import TransactionQuery
from csms_transactions.projections.tables import ACTIVE_SHARDS, DAYS_BUCKET, KEYSPACE

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
CHUNK = 200

_TRANSACTION = "SELECT * FROM {ks}.transactions WHERE station_id = ? AND transaction_id = ?"
_BY_ID = "SELECT station_id FROM {ks}.transactions_by_id WHERE transaction_id = ?"
_SAMPLES = "SELECT * FROM {ks}.meter_samples WHERE station_id = ? AND transaction_id = ?"
_BY_STATION = (
    "SELECT first_seen_at, transaction_id FROM {ks}.transactions_by_station WHERE station_id = ?"
    " AND (first_seen_at, transaction_id) < (?, ?) AND (first_seen_at) >= (?) LIMIT ?"
)
_BY_TOKEN = (
    "SELECT first_seen_at, station_id, transaction_id FROM {ks}.transactions_by_token WHERE id_token = ?"
    " AND (first_seen_at, station_id, transaction_id) < (?, ?, ?) AND (first_seen_at) >= (?) LIMIT ?"
)
_BY_DAY = (
    "SELECT first_seen_at, station_id, transaction_id FROM {ks}.transactions_by_day WHERE day = ?"
    " AND (first_seen_at, station_id, transaction_id) < (?, ?, ?) AND (first_seen_at) >= (?) LIMIT ?"
)
_DAYS = "SELECT day FROM {ks}.transaction_days WHERE bucket = ? AND day <= ? AND day >= ?"
_ACTIVE = (
    "SELECT station_id, transaction_id FROM {ks}.active_transactions WHERE shard = ?"
    " AND (station_id, transaction_id) > (?, ?) LIMIT ?"
)


@dataclass(frozen=True)
class _Entry:
    station_id: str
    transaction_id: str
    # Where a listing resumes after this entry.
    cursor: dict[str, Any]


class CassandraTransactionsRepository:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def stations_with(self, transaction_id: str) -> list[str]:
        return [row["station_id"] for row in await self._run(_BY_ID, (transaction_id,))]

    async def transaction(self, station_id: str, transaction_id: str) -> transactions_pb2.Transaction | None:
        rows = await self._run(_TRANSACTION, (station_id, transaction_id))
        return transaction_message(rows[0]) if rows else None

    async def samples(self, station_id: str, transaction_id: str) -> list[transactions_pb2.SampledValue]:
        return [sample_message(row) for row in await self._run(_SAMPLES, (station_id, transaction_id))]

    async def transactions(
        self, query: TransactionQuery, page_size: int, page_token: str
    ) -> tuple[list[transactions_pb2.Transaction], str]:
        cursor = decode_page_token(page_token, query.index) if page_token else None
        found: list[transactions_pb2.Transaction] = []
        async for chunk in self._scan(query, cursor):
            rows = await asyncio.gather(*(self.transaction(e.station_id, e.transaction_id) for e in chunk))
            for entry, transaction in zip(chunk, rows, strict=True):
                if transaction is None or not query.matches(transaction):
                    continue
                found.append(transaction)
                if len(found) == page_size:
                    return found, encode_page_token(query.index, entry.cursor)
        return found, ""

    def _scan(self, query: TransactionQuery, cursor: dict[str, Any] | None) -> AsyncIterator[list[_Entry]]:
        since = query.since or _EPOCH
        until = query.until or _END_OF_TIME
        if query.index == "station":
            return self._scan_index(_BY_STATION, query.station_id, since, until, cursor, {})
        if query.index == "token":
            return self._scan_index(_BY_TOKEN, query.id_token.upper(), since, until, cursor, {})
        if query.index == "active":
            return self._scan_active(cursor)
        return self._scan_days(since, until, cursor)

    async def _scan_index(
        self,
        cql: str,
        partition: object,
        since: datetime,
        until: datetime,
        cursor: dict[str, Any] | None,
        extra: dict[str, Any],
    ) -> AsyncIterator[list[_Entry]]:
        """Newest first through one partition of a time index; `extra` goes into every cursor."""
        columns = _STATION_INDEX if cql == _BY_STATION else _KEYED_INDEX
        upper = _bounds(cursor, columns) if cursor else (until, *("" for _ in columns[1:]))
        while True:
            rows = await self._run(cql, (partition, *upper, since, CHUNK))
            if not rows:
                return
            yield [
                _Entry(row.get("station_id", partition), row["transaction_id"], {**_cursor(row, columns), **extra})
                for row in rows
            ]
            upper = tuple(rows[-1][column] for column in columns)
            if len(rows) < CHUNK:
                return

    async def _scan_days(
        self, since: datetime, until: datetime, cursor: dict[str, Any] | None
    ) -> AsyncIterator[list[_Entry]]:
        newest = date.fromordinal(cursor["d"]) if cursor else (until - timedelta(microseconds=1)).date()
        days = await self._run(_DAYS, (DAYS_BUCKET, newest, since.date()))
        for row in days:
            day: date = row["day"].date()
            resume = cursor if cursor and day.toordinal() == cursor["d"] else None
            async for chunk in self._scan_index(_BY_DAY, day, since, until, resume, {"d": day.toordinal()}):
                yield chunk

    async def _scan_active(self, cursor: dict[str, Any] | None) -> AsyncIterator[list[_Entry]]:
        first_shard = cursor["h"] if cursor else 0
        for shard in range(first_shard, ACTIVE_SHARDS):
            after = (cursor["s"], cursor["x"]) if cursor and shard == first_shard else ("", "")
            while True:
                rows = await self._run(_ACTIVE, (shard, *after, CHUNK))
                if not rows:
                    break
                yield [
                    _Entry(
                        row["station_id"],
                        row["transaction_id"],
                        {"h": shard, "s": row["station_id"], "x": row["transaction_id"]},
                    )
                    for row in rows
                ]
                after = (rows[-1]["station_id"], rows[-1]["transaction_id"])
                if len(rows) < CHUNK:
                    break

    async def _run(self, cql: str, params: tuple[object, ...]) -> list[Row]:
        return await self._session.execute(await self._prepared(cql), params)

    async def _prepared(self, cql: str) -> PreparedStatement:
        """`cql` (with `{ks}`) for this repository's keyspace; every statement here is idempotent."""
        return await self._session.prepare(cql.format(ks=self._keyspace), idempotent=True)


# Clustering columns of the time indexes and their names in page tokens.
_STATION_INDEX = ("first_seen_at", "transaction_id")
_KEYED_INDEX = ("first_seen_at", "station_id", "transaction_id")
_CURSOR_NAMES = {"first_seen_at": "t", "station_id": "s", "transaction_id": "x"}


def _cursor(row: Row, columns: Sequence[str]) -> dict[str, Any]:
    return {_CURSOR_NAMES[c]: micros(row[c].replace(tzinfo=UTC)) if c == "first_seen_at" else row[c] for c in columns}


def _bounds(cursor: dict[str, Any], columns: Sequence[str]) -> tuple[object, ...]:
    return tuple(
        _EPOCH + timedelta(microseconds=cursor["t"]) if c == "first_seen_at" else cursor[_CURSOR_NAMES[c]]
        for c in columns
    )


_CURSOR_FIELDS: dict[str, dict[str, type]] = {
    "station": {"t": int, "x": str},
    "token": {"t": int, "s": str, "x": str},
    "day": {"t": int, "s": str, "x": str, "d": int},
    "active": {"h": int, "s": str, "x": str},
}


def encode_page_token(index: str, cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"i": index, **cursor}, separators=(",", ":")).encode()).decode()


def decode_page_token(token: str, index: str) -> dict[str, Any]:
    """The cursor of a token issued for a listing of the same index; ValueError for anything else."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("invalid page token") from exc
    fields = _CURSOR_FIELDS[index]
    if not isinstance(cursor, dict) or cursor.pop("i", None) != index or set(cursor) != set(fields):
        raise ValueError("invalid page token")
    for name, kind in fields.items():
        value = cursor[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError("invalid page token")
    if "h" in cursor and not 0 <= cursor["h"] < ACTIVE_SHARDS:
        raise ValueError("invalid page token")
    if "d" in cursor and not date.min.toordinal() <= cursor["d"] <= date.max.toordinal():
        raise ValueError("invalid page token")
    if "t" in cursor and not 0 <= cursor["t"] <= micros(_END_OF_TIME):
        raise ValueError("invalid page token")
    return dict(cursor)


def transaction_message(row: Row) -> transactions_pb2.Transaction:
    """Maps a `transactions` row to the API message (the driver returns naive datetimes in UTC)."""
    version = OcppVersion(row["ocpp_version"])
    ended = bool(row["ended"])
    transaction = transactions_pb2.Transaction(
        station_id=row["station_id"],
        transaction_id=row["transaction_id"],
        ocpp_version=version_to_proto(version),
        evse_id=row["evse_id"] or 0,
        connector_id=row["connector_id"] or 0,
        authorization_status=row["authorization_status"] or "",
        stop_reason=row["stop_reason"] or "",
        state=transactions_pb2.TRANSACTION_STATE_ENDED if ended else transactions_pb2.TRANSACTION_STATE_ACTIVE,
        charging_state=row["charging_state"] or "",
        remote_start_id=row["remote_start_id"],
        unknown_start=bool(row["unknown_start"]),
        last_seq_no=row["last_seq_no"] or 0,
    )
    if version is OcppVersion.V16:
        transaction.csms_transaction_id = _int32(row["transaction_id"])
    else:
        transaction.station_transaction_id = row["transaction_id"]
    if row["id_token"] is not None:
        transaction.id_token.CopyFrom(transactions_pb2.IdToken(id_token=row["id_token"], type=row["token_type"] or ""))
    for name in ("first_seen_at", "started_at", "ended_at", "updated_at"):
        if row[name] is not None:
            getattr(transaction, name).CopyFrom(timestamp(row[name].replace(tzinfo=UTC)))
    start = _first(row["meter_start_wh"], row["first_register_wh"])
    stop = _first(row["meter_stop_wh"], row["last_register_wh"]) if ended else None
    if start is not None:
        transaction.meter_start_wh = start
    if stop is not None:
        transaction.meter_stop_wh = stop
    latest = stop if ended else row["last_register_wh"]
    if start is not None and latest is not None:
        transaction.energy_wh = latest - start
    return transaction


def sample_message(row: Row) -> transactions_pb2.SampledValue:
    return transactions_pb2.SampledValue(
        sampled_at=timestamp(row["sampled_at"].replace(tzinfo=UTC)),
        measurand=row["measurand"],
        phase=row["phase"],
        location=row["location"],
        context=row["context"],
        value=row["value"],
        unit=row["unit"] or "",
        raw_value=row["raw_value"] or "",
        raw_unit=row["raw_unit"] or "",
        raw_multiplier=row["raw_multiplier"] or 0,
        format=row["format"] or "",
        signed_meter_value_json=row["signed_meter_value"] or "",
    )


def _first(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)


def _int32(text: str) -> int:
    value = int(text)
    return value if 0 < value <= MAX_INT32 else 0
