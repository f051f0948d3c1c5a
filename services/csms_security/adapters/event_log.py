"""The security event log in Cassandra, read for the gRPC API (the projection writes it): the `SecurityEventLog`
port. One station's events come from `events_by_station`; every station's from `events_by_day`, day after day
newest first (`event_days` lists the days). A page token names the last event returned (base64 JSON bound as
CQL values, never a driver paging state) and the listing it belongs to. Network I/O only."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cassandra.query import PreparedStatement

from csms.security.v1 import security_pb2
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.projecting.writes import micros
from csms_security.projections.tables import DAYS_BUCKET, KEYSPACE

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
_MAX_DAY = 3_000_000

_BY_STATION = (
    "SELECT recorded_at, event_id, event FROM {ks}.events_by_station WHERE station_id = ?"
    " AND (recorded_at, event_id) < (?, ?) LIMIT ?"
)
_BY_DAY = (
    "SELECT recorded_at, station_id, event_id, event FROM {ks}.events_by_day WHERE day = ?"
    " AND (recorded_at, station_id, event_id) < (?, ?, ?) LIMIT ?"
)
_DAYS = "SELECT day FROM {ks}.event_days WHERE bucket = ? AND day <= ?"


class CassandraEventLog:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def events(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[security_pb2.SecurityEvent], str]:
        if station_id:
            return await self._station_events(station_id, page_size, page_token)
        return await self._all_events(page_size, page_token)

    async def _station_events(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[security_pb2.SecurityEvent], str]:
        cursor = decode_page_token(page_token, "station", station_id) if page_token else None
        upper = (_at(cursor["t"]), cursor["e"]) if cursor else (_END_OF_TIME, "")
        rows = await self._run(_BY_STATION, (station_id, *upper, page_size + 1))
        events = [_event(row) for row in rows[:page_size]]
        if len(rows) <= page_size:
            return events, ""
        last = rows[page_size - 1]
        return events, encode_page_token(
            {"i": "station", "k": station_id, "t": _micros(last["recorded_at"]), "e": last["event_id"]}
        )

    async def _all_events(self, page_size: int, page_token: str) -> tuple[list[security_pb2.SecurityEvent], str]:
        cursor = decode_page_token(page_token, "day", "") if page_token else None
        first_day = cursor["d"] if cursor else _MAX_DAY
        found: list[tuple[int, Row]] = []
        for day_row in await self._run(_DAYS, (DAYS_BUCKET, first_day)):
            day = day_row["day"]
            if cursor and day == cursor["d"]:
                upper: tuple[object, ...] = (_at(cursor["t"]), cursor["s"], cursor["e"])
            else:
                upper = (_END_OF_TIME, "", "")
            rows = await self._run(_BY_DAY, (day, *upper, page_size + 1 - len(found)))
            found += [(day, row) for row in rows]
            if len(found) > page_size:
                break
        events = [_event(row) for _, row in found[:page_size]]
        if len(found) <= page_size:
            return events, ""
        day, last = found[page_size - 1]
        return events, encode_page_token(
            {
                "i": "day",
                "k": "",
                "d": day,
                "t": _micros(last["recorded_at"]),
                "s": last["station_id"],
                "e": last["event_id"],
            }
        )

    async def _run(self, cql: str, params: tuple[object, ...]) -> list[Row]:
        return await self._session.execute(await self._prepared(cql), params)

    async def _prepared(self, cql: str) -> PreparedStatement:
        return await self._session.prepare(cql.format(ks=self._keyspace), idempotent=True)


_FIELDS: dict[str, dict[str, type]] = {
    "station": {"k": str, "t": int, "e": str},
    "day": {"k": str, "d": int, "t": int, "s": str, "e": str},
}


def encode_page_token(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode()


def decode_page_token(token: str, index: str, station_id: str) -> dict[str, Any]:
    """The cursor of a token issued for the same listing (index and station); ValueError for anything else."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise ValueError("invalid page token") from exc
    fields = _FIELDS[index]
    if not isinstance(cursor, dict) or cursor.pop("i", None) != index or set(cursor) != set(fields):
        raise ValueError("invalid page token")
    for name, kind in fields.items():
        if not isinstance(cursor[name], kind) or isinstance(cursor[name], bool):
            raise ValueError("invalid page token")
    if cursor["k"] != station_id or not 0 <= cursor["t"] <= micros(_END_OF_TIME):
        raise ValueError("invalid page token")
    if "d" in cursor and not 0 <= cursor["d"] <= _MAX_DAY:
        raise ValueError("invalid page token")
    return dict(cursor)


def _at(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _micros(moment: datetime) -> int:
    return micros(moment.replace(tzinfo=UTC))


def _event(row: Row) -> security_pb2.SecurityEvent:
    event = security_pb2.SecurityEvent()
    event.ParseFromString(row["event"])
    return event
