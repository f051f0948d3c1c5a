"""Command records in Cassandra: the `CommandStore` port (`ports.py`) over table `commands` and its indexes
`commands_by_station`, `command_queue`, `open_commands` and `command_outbox` (schema.cql).

The record is written only with lightweight transactions: created with `INSERT ... IF NOT EXISTS`, changed with
`UPDATE ... IF state = ?`, so all its writes go through Paxos (a plain write beside them could be ordered
before a Paxos write by its client timestamp) and each change of state is applied once. The indexes follow the
record: they are created after it (a crash in between leaves a record nobody was told about, never an index
entry without its record), and a change writes the outbox row of its new state before the record (the relay
publishes the event only once the record shows the state). Network I/O only.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cassandra.query import BatchStatement, BatchType

from csms_device_model.domain.commands.record import CallError, CommandRecord, CommandState, OcppCall
from csms_device_model.ports import RANKS, SHARDS, CommandExists, OpenCommand, shard_of
from csms_kernel.infra.batched_reads import BatchedReads
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.ocpp.versions import OcppVersion

KEYSPACE = "csms_device_model"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_INSERT = (
    f"INSERT INTO {KEYSPACE}.commands (command_id, station_id, command, params_json, state, ocpp_version,"
    " request_json, created_us, created_at, expires_at, timeout_ms, queue_if_offline)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS"
)
_CHANGE = (
    f"UPDATE {KEYSPACE}.commands SET state = ?, ocpp_version = ?, request_json = ?, sent_at = ?, finished_at = ?,"
    " response_json = ?, result_json = ?, call_error_code = ?, call_error_description = ?, call_error_details = ?,"
    " failure = ? WHERE command_id = ? IF state = ?"
)
_GET = f"SELECT * FROM {KEYSPACE}.commands WHERE command_id = ?"
_BY_STATION = f"INSERT INTO {KEYSPACE}.commands_by_station (station_id, created_us, command_id) VALUES (?, ?, ?)"
_QUEUE = f"INSERT INTO {KEYSPACE}.command_queue (station_id, created_us, command_id) VALUES (?, ?, ?)"
_OPEN = "INSERT INTO {table} (shard, created_us, command_id, station_id) VALUES (?, ?, ?, ?)"
_OUTBOX = "INSERT INTO {table} (shard, created_us, command_id, rank, station_id) VALUES (?, ?, ?, ?, ?)"
_CLOSE = "DELETE FROM {table} WHERE shard = ? AND created_us = ? AND command_id = ?"
_DEQUEUE = f"DELETE FROM {KEYSPACE}.command_queue WHERE station_id = ? AND created_us = ? AND command_id = ?"
_FIRST_PAGE = f"SELECT created_us, command_id FROM {KEYSPACE}.commands_by_station WHERE station_id = ? LIMIT ?"
_NEXT_PAGE = (
    f"SELECT created_us, command_id FROM {KEYSPACE}.commands_by_station WHERE station_id = ?"
    " AND (created_us, command_id) < (?, ?) LIMIT ?"
)
_QUEUED = f"SELECT station_id, command_id FROM {KEYSPACE}.command_queue WHERE station_id IN ?"
_OPEN_COMMANDS = "SELECT command_id, station_id FROM {table} WHERE shard IN ?"


@dataclass(frozen=True)
class CommandTables:
    """The tables every instance's sweep and event relay read; tests give their own, so that the instances of a
    stack running on the same Cassandra leave their rows alone."""

    open_commands: str = f"{KEYSPACE}.open_commands"
    outbox: str = f"{KEYSPACE}.command_outbox"


TABLES = CommandTables()


class CassandraCommandStore:
    def __init__(self, session: CassandraSession, tables: CommandTables = TABLES) -> None:
        self._session = session
        self._open = _OPEN.format(table=tables.open_commands)
        self._outbox = _OUTBOX.format(table=tables.outbox)
        self._close = _CLOSE.format(table=tables.open_commands)
        self._open_commands = _OPEN_COMMANDS.format(table=tables.open_commands)
        self._queued = BatchedReads(self._read_queues)  # the drains of many stations (a boot storm) in one request

    async def create(self, record: CommandRecord) -> None:
        created_us = micros(record.created_at)
        params = (
            record.command_id,
            record.station_id,
            record.command,
            json.dumps(record.params),
            record.state.value,
            record.ocpp_version.value,
            json.dumps([call.as_json() for call in record.calls]),
            created_us,
            record.created_at,
            record.expires_at,
            round(record.timeout_s * 1000),
            record.queue_if_offline,
        )
        if not await self._applied(_INSERT, params):
            raise CommandExists(f"command {record.command_id} exists already")
        await self.index(record)

    async def index(self, record: CommandRecord) -> None:
        created_us = micros(record.created_at)
        shard = shard_of(record.station_id)
        indexes = [
            (_BY_STATION, (record.station_id, created_us, record.command_id)),
            (self._open, (shard, created_us, record.command_id, record.station_id)),
            (self._outbox, (shard, created_us, record.command_id, RANKS[record.state], record.station_id)),
        ]
        if record.queue_if_offline:
            indexes.append((_QUEUE, (record.station_id, created_us, record.command_id)))
        await self._batch(indexes, logged=True)

    async def get(self, command_id: str) -> CommandRecord | None:
        rows = await self._session.execute(await self._session.prepare(_GET, idempotent=True), (command_id,))
        return record_of(rows[0]) if rows else None

    async def change(self, before: CommandState, after: CommandRecord) -> bool:
        created_us = micros(after.created_at)
        outbox = (shard_of(after.station_id), created_us, after.command_id, RANKS[after.state], after.station_id)
        await self._session.execute(await self._session.prepare(self._outbox, idempotent=True), outbox)
        error = after.call_error
        params = (
            after.state.value,
            after.ocpp_version.value,
            json.dumps([call.as_json() for call in after.calls]),
            after.sent_at,
            after.finished_at,
            json.dumps(list(after.responses)) if after.responses else None,
            json.dumps(after.result) if after.result is not None else None,
            error.code if error else None,
            error.description if error else None,
            error.details_json if error else None,
            after.failure or None,
            after.command_id,
            before.value,
        )
        return await self._applied(_CHANGE, params)

    async def finish(self, record: CommandRecord) -> None:
        created_us = micros(record.created_at)
        deletes: list[tuple[str, tuple[object, ...]]] = [
            (self._close, (shard_of(record.station_id), created_us, record.command_id))
        ]
        if record.queue_if_offline:
            deletes.append((_DEQUEUE, (record.station_id, created_us, record.command_id)))
        await self._batch(deletes, logged=True)

    async def station_commands(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[CommandRecord], str]:
        if page_token:
            created_us, command_id = decode_page_token(page_token)
            statement = await self._session.prepare(_NEXT_PAGE, idempotent=True)
            rows = await self._session.execute(statement, (station_id, created_us, command_id, page_size))
        else:
            statement = await self._session.prepare(_FIRST_PAGE, idempotent=True)
            rows = await self._session.execute(statement, (station_id, page_size))
        found = await asyncio.gather(*(self.get(row["command_id"]) for row in rows))
        last = rows[-1] if len(rows) == page_size else None
        token = encode_page_token(last["created_us"], last["command_id"]) if last else ""
        return [record for record in found if record is not None], token

    async def queued(self, station_id: str) -> list[str]:
        return await self._queued.get(station_id) or []

    async def _read_queues(self, station_ids: Sequence[str]) -> dict[str, list[str]]:
        """The queued command ids of each station, oldest first (the partition's clustering order)."""
        rows = await self._session.execute(await self._session.prepare(_QUEUED, idempotent=True), (station_ids,))
        queues: dict[str, list[str]] = {}
        for row in rows:
            queues.setdefault(row["station_id"], []).append(row["command_id"])
        return queues

    async def open_commands(self) -> Sequence[OpenCommand]:
        statement = await self._session.prepare(self._open_commands, idempotent=True)
        rows = await self._session.execute(statement, (list(range(SHARDS)),))
        return [OpenCommand(row["command_id"], row["station_id"]) for row in rows]

    async def _applied(self, cql: str, params: tuple[object, ...]) -> bool:
        rows = await self._session.execute(await self._session.prepare(cql, idempotent=False), params)
        return bool(rows[0]["[applied]"])

    async def _batch(self, statements: Sequence[tuple[str, tuple[object, ...]]], *, logged: bool) -> None:
        batch = BatchStatement(BatchType.LOGGED if logged else BatchType.UNLOGGED)
        for cql, params in statements:
            batch.add((await self._session.prepare(cql, idempotent=True)).bind(params))
        batch.is_idempotent = True
        await self._session.execute(batch)


def record_of(row: Row) -> CommandRecord:
    code = row.get("call_error_code")
    return CommandRecord(
        command_id=row["command_id"],
        station_id=row["station_id"],
        command=row["command"],
        params=json.loads(row["params_json"]),
        state=CommandState(row["state"]),
        ocpp_version=OcppVersion(row["ocpp_version"]),
        calls=tuple(OcppCall(c["action"], c["payload"]) for c in json.loads(row["request_json"])),
        timeout_s=row["timeout_ms"] / 1000,
        created_at=EPOCH + timedelta(microseconds=row["created_us"]),
        queue_if_offline=bool(row["queue_if_offline"]),
        expires_at=_utc(row.get("expires_at")),
        sent_at=_utc(row.get("sent_at")),
        finished_at=_utc(row.get("finished_at")),
        result=_json(row.get("result_json")),
        responses=tuple(_json(row.get("response_json")) or ()),
        call_error=(
            CallError(code, row.get("call_error_description") or "", row.get("call_error_details") or "{}")
            if code
            else None
        ),
        failure=row.get("failure") or "",
    )


def micros(moment: datetime) -> int:
    """Microseconds since 1970, exactly (the key of a command in its indexes; `created_at` round-trips)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def encode_page_token(created_us: int, command_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created_us, command_id]).encode()).decode()


def decode_page_token(token: str) -> tuple[int, str]:
    """Raises ValueError for a token this store did not issue."""
    try:
        created_us, command_id = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError("invalid page token") from exc
    if not isinstance(created_us, int) or not isinstance(command_id, str) or not command_id:
        raise ValueError("invalid page token")
    return created_us, command_id


def _utc(value: datetime | None) -> datetime | None:
    """The driver returns naive datetimes in UTC."""
    return value.replace(tzinfo=UTC) if value is not None else None


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None
