"""The device model inventory read models in Cassandra (`device_variables`, `device_reports`,
`device_report_parts`; docs/adr/0032): the `DeviceModelInventory` port. Reads only (the device projector
writes them).

Variables are read in key order a chunk at a time; the component filter is a key prefix, the other filters are
applied to the rows read, so a page of a filtered read may take several chunks. The page token is the last key
returned (base64 JSON), checked on the way back, so a forged token can only name a key.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.inventory import NO_EVSE
from csms_device_model.domain.reports import Part, progress
from csms_device_model.ports import VariableFilter
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp

_KEY = ("component", "component_instance", "evse_id", "connector_id", "variable", "variable_instance", "attribute_type")
_AFTER_COMPONENT = _KEY[1:]
_VARIABLES = (
    "SELECT * FROM csms_device_model.device_variables WHERE station_id = ?"
    f" AND ({', '.join(_KEY)}) > ({', '.join('?' * len(_KEY))}) LIMIT ?"
)
_COMPONENT_VARIABLES = (
    "SELECT * FROM csms_device_model.device_variables WHERE station_id = ? AND component = ?"
    f" AND ({', '.join(_AFTER_COMPONENT)}) > ({', '.join('?' * len(_AFTER_COMPONENT))}) LIMIT ?"
)
_REPORTS = "SELECT * FROM csms_device_model.device_reports WHERE station_id = ?"
_PARTS = (
    "SELECT request_id, seq_no, tbc, variables, received_at FROM csms_device_model.device_report_parts"
    " WHERE station_id = ?"
)
_BEFORE_ALL = ("", "", NO_EVSE - 1, NO_EVSE - 1, "", "", "")
CHUNK = 500

Key = tuple[str, str, int, int, str, str, str]


class CassandraDeviceModelInventory:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def variables(
        self, station_id: str, where: VariableFilter, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.DeviceVariable], str]:
        after = decode_key(page_token) if page_token else _BEFORE_ALL
        if where.component and page_token and after[0] != where.component:
            raise ValueError("invalid page token")
        found: list[Row] = []
        while True:
            rows = await self._chunk(station_id, where.component, after)
            for row in rows:
                if matches(row, where):
                    found.append(row)
                    if len(found) == page_size:
                        return [variable_message(r) for r in found], encode_key(key_of(row))
            if len(rows) < CHUNK:
                return [variable_message(r) for r in found], ""
            after = key_of(rows[-1])

    async def reports(self, station_id: str) -> list[device_model_pb2.Report]:
        reports = await self._session.execute(await self._session.prepare(_REPORTS, idempotent=True), (station_id,))
        parts = await self._session.execute(await self._session.prepare(_PARTS, idempotent=True), (station_id,))
        return report_messages(reports, parts)

    async def _chunk(self, station_id: str, component: str, after: Key) -> Sequence[Row]:
        if component:
            statement = await self._session.prepare(_COMPONENT_VARIABLES, idempotent=True)
            return await self._session.execute(statement, (station_id, component, *after[1:], CHUNK))
        statement = await self._session.prepare(_VARIABLES, idempotent=True)
        return await self._session.execute(statement, (station_id, *after, CHUNK))


def key_of(row: Row) -> Key:
    return (
        row["component"],
        row["component_instance"],
        row["evse_id"],
        row["connector_id"],
        row["variable"],
        row["variable_instance"],
        row["attribute_type"],
    )


def encode_key(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_key(token: str) -> Key:
    """Raises ValueError for a token this service did not issue."""
    try:
        found = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("invalid page token") from exc
    kinds = (str, str, int, int, str, str, str)
    if not isinstance(found, list) or len(found) != len(kinds):
        raise ValueError("invalid page token")
    if not all(isinstance(v, k) and not isinstance(v, bool) for v, k in zip(found, kinds, strict=True)):
        raise ValueError("invalid page token")
    return (found[0], found[1], found[2], found[3], found[4], found[5], found[6])


def matches(row: Row, where: VariableFilter) -> bool:
    return (
        (not where.variable or row["variable"] == where.variable)
        and (where.evse_id is None or row["evse_id"] == where.evse_id)
        and (not where.attribute_type or row["attribute_type"] == where.attribute_type)
    )


def _optional_int(value: int) -> int | None:
    return None if value == NO_EVSE else value


def variable_message(row: Row) -> device_model_pb2.DeviceVariable:
    """Maps a row to the API message (the driver returns naive datetimes in UTC)."""
    variable = device_model_pb2.DeviceVariable(
        component=row["component"],
        component_instance=row["component_instance"],
        evse_id=_optional_int(row["evse_id"]),
        connector_id=_optional_int(row["connector_id"]),
        variable=row["variable"],
        variable_instance=row["variable_instance"],
        attribute_type=row["attribute_type"],
        value=row.get("value"),
        mutability=row.get("mutability") or "",
        persistent=bool(row.get("persistent")),
        constant=bool(row.get("constant")),
        report_request_id=row.get("report_request_id") or 0,
        get_status=row.get("get_status") or "",
        set_value=row.get("set_value"),
        set_status=row.get("set_status") or "",
        set_command_id=row.get("set_command_id") or "",
    )
    if row.get("data_type") is not None or row.get("unit") is not None or row.get("values_list") is not None:
        variable.characteristics.CopyFrom(
            device_model_pb2.VariableCharacteristics(
                unit=row.get("unit") or "",
                data_type=row.get("data_type") or "",
                min_limit=row.get("min_limit"),
                max_limit=row.get("max_limit"),
                values_list=row.get("values_list") or "",
                supports_monitoring=bool(row.get("supports_monitoring")),
                max_elements=row.get("max_elements"),
            )
        )
    for field in ("reported_at", "read_at", "set_at"):
        if row.get(field) is not None:
            getattr(variable, field).CopyFrom(timestamp(row[field]))
    return variable


def report_messages(reports: Sequence[Row], parts: Sequence[Row]) -> list[device_model_pb2.Report]:
    """Each requestId's report (from its command row and its parts), newest first."""
    by_request: dict[int, list[Row]] = {}
    for part in parts:
        by_request.setdefault(part["request_id"], []).append(part)
    asked: dict[int, Row] = {row["request_id"]: row for row in reports}
    out = []
    for request_id in asked.keys() | by_request.keys():
        row, received = asked.get(request_id, {}), by_request.get(request_id, [])
        found = progress(
            bool(row.get("command_id")),
            row.get("answer_status") or "",
            row.get("failure") or "",
            [Part(p["seq_no"], bool(p["tbc"])) for p in received],
        )
        report = device_model_pb2.Report(
            request_id=request_id,
            state=found.state.value,
            command_id=row.get("command_id") or "",
            command=row.get("command") or "",
            params_json=row.get("params_json") or "",
            answer_status=row.get("answer_status") or "",
            failure=row.get("failure") or "",
            parts_received=len(received),
            last_seq_no=found.last_seq_no,
            missing_seq_nos=found.missing,
            variables_received=sum(p["variables"] or 0 for p in received),
            complete_parts=found.complete_parts,
        )
        if row.get("requested_at") is not None:
            report.requested_at.CopyFrom(timestamp(row["requested_at"]))
        times = [p["received_at"] for p in received if p["received_at"] is not None]
        if times:
            report.first_part_at.CopyFrom(timestamp(min(times)))
            report.last_part_at.CopyFrom(timestamp(max(times)))
        out.append(report)
    out.sort(key=_newest, reverse=True)
    return out


def _newest(report: device_model_pb2.Report) -> Any:
    at = report.requested_at if report.HasField("requested_at") else report.first_part_at
    return (at.seconds, at.nanos, report.request_id)
