"""Answers already given to station CALLs, so a CALL repeated on the same connection gets the same answer.

OCPP-J message ids are unique per sender and connection, so a CALL whose (station, connection, message id)
was answered before is the same CALL again: a station retrying after a timeout, or a frame appended twice. The
station's latest answer, whatever its connection, tells a station's first CALL on a new connection that sends again
the CALL left unanswered on the last one.
The port `AnsweredCalls` and its Cassandra adapter (one table per service keyspace, rows expiring after a
retry window; side effects: reads and writes that table), and `RecentAnswers`, the process's own latest
answers in memory, which spare the table's read for all but the CALLs the edge marks as repeats.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from csms_kernel.infra.batched_writes import BatchedWrites
from csms_kernel.infra.cassandra import CassandraSession


@dataclass(frozen=True)
class AnsweredCall:
    """The answer to one CALL: `source` names the frame-log record it answered ("partition:offset"),
    `frame_digest` the CALL frame's bytes; `reply` is the CALLRESULT/CALLERROR text."""

    source: str
    frame_digest: bytes
    reply: str
    is_error: bool

    def answers_copy(self, source: str, digest: bytes) -> bool:
        """True when a frame with `digest` read from `source` is another copy of the frame this answered; the same
        record read again (its batch was aborted) is not: it is handled anew."""
        return self.source != source and self.frame_digest == digest


def frame_digest(frame: bytes) -> bytes:
    return hashlib.sha256(frame).digest()


CallKey = tuple[str, str, str]
"""(station id, connection id, message id)"""


class RecentAnswers:
    """The last `capacity` answers this process gave, oldest forgotten first."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._answers: dict[CallKey, AnsweredCall] = {}

    def get(self, key: CallKey) -> AnsweredCall | None:
        return self._answers.get(key)

    def put(self, key: CallKey, answer: AnsweredCall) -> None:
        self._answers.pop(key, None)
        self._answers[key] = answer
        excess = len(self._answers) - self._capacity
        if excess > 0:
            for oldest in list(islice(self._answers, excess)):
                del self._answers[oldest]


@dataclass(frozen=True)
class LatestAnswer:
    """The answer most recently stored for a station, with the connection and message id it is stored under."""

    connection_id: str
    message_id: str
    answer: AnsweredCall


class AnsweredCalls(Protocol):
    async def get(self, station_id: str, connection_id: str, message_id: str) -> AnsweredCall | None: ...

    async def put(self, station_id: str, connection_id: str, message_id: str, answer: AnsweredCall) -> None: ...

    async def latest(self, station_id: str) -> LatestAnswer | None:
        """The answer put last for the station, on any connection (None: none within the retry window)."""
        ...


class CassandraAnsweredCalls:
    """`table` is `<keyspace>.answered_calls` of the owning service (its schema.cql sets the rows' TTL)."""

    def __init__(self, session: CassandraSession, table: str) -> None:
        self._session = session
        self._writes = BatchedWrites(session)  # the answers of a batch's stations in few requests
        self._select = (
            f"SELECT source, frame_digest, reply, is_error FROM {table}"
            " WHERE station_id = ? AND connection_id = ? AND message_id = ?"
        )
        self._select_station = (
            "SELECT connection_id, message_id, source, frame_digest, reply, is_error, writetime(reply) AS written"
            f" FROM {table} WHERE station_id = ?"
        )
        self._insert = (
            f"INSERT INTO {table} (station_id, connection_id, message_id, source, frame_digest, reply, is_error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
        )

    async def get(self, station_id: str, connection_id: str, message_id: str) -> AnsweredCall | None:
        statement = await self._session.prepare(self._select, idempotent=True)
        rows = await self._session.execute(statement, (station_id, connection_id, message_id))
        if not rows:
            return None
        row = rows[0]
        return AnsweredCall(row["source"], row["frame_digest"], row["reply"], bool(row["is_error"]))

    async def latest(self, station_id: str) -> LatestAnswer | None:
        """Reads the station's whole partition (its answers of the retry window) and keeps the last written."""
        statement = await self._session.prepare(self._select_station, idempotent=True)
        rows = await self._session.execute(statement, (station_id,))
        if not rows:
            return None
        row = max(rows, key=lambda r: r["written"])
        answer = AnsweredCall(row["source"], row["frame_digest"], row["reply"], bool(row["is_error"]))
        return LatestAnswer(row["connection_id"], row["message_id"], answer)

    async def put(self, station_id: str, connection_id: str, message_id: str, answer: AnsweredCall) -> None:
        statement = await self._session.prepare(self._insert, idempotent=True)
        params = (station_id, connection_id, message_id, answer.source, answer.frame_digest, answer.reply)
        await self._writes.execute(statement.bind((*params, answer.is_error)))
