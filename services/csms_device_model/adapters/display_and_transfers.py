"""The display messages and DataTransfer log read models in Cassandra (written by `projections/display_messages.py`
and `projections/data_transfers.py`), read for the gRPC API: the `DisplayMessageReads` and `DataTransferReads`
ports. A DataTransfer page token names the last row returned (base64 JSON bound as CQL values, never a driver paging
state) and its station. Network I/O only."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import micros

KEYSPACE = "csms_device_model"
_MESSAGES = "SELECT * FROM {ks}.display_messages WHERE station_id = ?"
_TRANSFERS = "SELECT * FROM {ks}.data_transfers WHERE station_id = ? AND (recorded_at, transfer_id) < (?, ?) LIMIT ?"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


class CassandraDisplayAndTransfers:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def display_messages(self, station_id: str) -> list[device_model_pb2.DisplayMessage]:
        return [display_message(row) for row in await self._run(_MESSAGES, (station_id,))]

    async def data_transfers(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.DataTransfer], str]:
        after = decode_page_token(page_token, station_id) if page_token else None
        if after is None:
            rows = await self._run(_TRANSFERS, (station_id, _END_OF_TIME, "", page_size + 1))
        else:
            rows = await self._run(_TRANSFERS, (station_id, *after, page_size + 1))
        transfers = [data_transfer(row) for row in rows[:page_size]]
        if len(rows) <= page_size:
            return transfers, ""
        last = rows[page_size - 1]
        return transfers, encode_page_token(station_id, _utc(last["recorded_at"]), last["transfer_id"])

    async def _run(self, cql: str, params: tuple[object, ...]) -> list[Row]:
        statement = await self._session.prepare(cql.format(ks=self._keyspace), idempotent=True)
        return await self._session.execute(statement, params)


def encode_page_token(station_id: str, recorded_at: datetime, transfer_id: str) -> str:
    cursor = {"k": station_id, "t": micros(recorded_at), "e": transfer_id}
    return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode()


def decode_page_token(token: str, station_id: str) -> tuple[datetime, str]:
    """(recorded_at, transfer_id) of a token issued for the station's listing; ValueError for anything else."""
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise ValueError("invalid page token") from exc
    if (
        not isinstance(cursor, dict)
        or set(cursor) != {"k", "t", "e"}
        or cursor["k"] != station_id
        or not isinstance(cursor["t"], int)
        or isinstance(cursor["t"], bool)
        or not 0 <= cursor["t"] <= micros(_END_OF_TIME)
        or not isinstance(cursor["e"], str)
    ):
        raise ValueError("invalid page token")
    return _EPOCH + timedelta(microseconds=cursor["t"]), cursor["e"]


def _utc(value: datetime) -> datetime:
    """The driver returns naive datetimes in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def display_message(row: Row) -> device_model_pb2.DisplayMessage:
    message = device_model_pb2.DisplayMessage(
        id=row["message_id"],
        priority=row.get("priority") or "",
        state=row.get("state") or "",
        transaction_id=row.get("transaction_id") or "",
        format=row.get("format") or "",
        language=row.get("language") or "",
        content=row.get("content") or "",
        display_name=row.get("display_name") or "",
        display_instance=row.get("display_instance") or "",
        source=row.get("source") or "",
    )
    if row.get("display_evse_id") is not None:
        message.display_evse_id = row["display_evse_id"]
    if row.get("display_connector_id") is not None:
        message.display_connector_id = row["display_connector_id"]
    for name in ("start_at", "end_at", "updated_at"):
        if row.get(name) is not None:
            getattr(message, name).CopyFrom(timestamp(_utc(row[name])))
    return message


def data_transfer(row: Row) -> device_model_pb2.DataTransfer:
    transfer = device_model_pb2.DataTransfer(
        station_id=row["station_id"],
        transfer_id=row["transfer_id"],
        direction=row.get("direction") or "",
        vendor_id=row.get("vendor_id") or "",
        message_id=row.get("message_id") or "",
        data_json=row.get("data") or "",
        status=row.get("status") or "",
        response_data_json=row.get("response_data") or "",
        reason_code=row.get("reason_code") or "",
        details_json=row.get("details") or "",
        error=row.get("error") or "",
        command_id=row.get("command_id") or "",
        recorded_at=timestamp(_utc(row["recorded_at"])),
    )
    if row.get("ocpp_version"):
        transfer.ocpp_version = version_to_proto(OcppVersion(row["ocpp_version"]))
    return transfer
