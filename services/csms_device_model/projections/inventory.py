"""The device model inventory read models (docs/adr/0032): `device_variables` (one row per variable attribute),
`device_reports` (a report's command and outcome by requestId) and `device_report_parts` (the NotifyReport parts
received). Pure: DeviceModelEvents → CQL writes, registered in `projections/device.py`.

Every write is an upsert on the attribute's full key with USING TIMESTAMP = the event's time, so a repeated part,
a redelivered event or parts in any order leave the same rows: nothing is lost or doubled. The report columns,
characteristics, read results and set results are separate statements, so one kind of fact never erases another.
`from_command_event` takes every command event (sent, answered, failed, expired): report commands record the
report's request and outcome; answered get-configuration / set-configuration record their results per attribute.
"""

from __future__ import annotations

import json
from datetime import datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.inventory import OBSERVED_COMMANDS, Observation, ValueRead, observations, reported_keys
from csms_kernel.infra.envelopes import to_datetime, version_from_proto
from csms_kernel.projecting.writes import Write, micros

TABLES = ("device_variables", "device_reports", "device_report_parts")

REPORT_COMMANDS = ("get-base-report", "get-report")

_WHERE = (
    " WHERE station_id = ? AND component = ? AND component_instance = ? AND evse_id = ? AND connector_id = ?"
    " AND variable = ? AND variable_instance = ? AND attribute_type = ?"
)

ATTRIBUTE = (
    "UPDATE {ks}.device_variables USING TIMESTAMP ? SET value = ?, mutability = ?, persistent = ?, constant = ?,"
    " report_request_id = ?, reported_at = ?" + _WHERE
)
CHARACTERISTICS = (
    "UPDATE {ks}.device_variables USING TIMESTAMP ? SET unit = ?, data_type = ?, min_limit = ?, max_limit = ?,"
    " values_list = ?, supports_monitoring = ?, max_elements = ?" + _WHERE
)
READ = "UPDATE {ks}.device_variables USING TIMESTAMP ? SET get_status = ?, read_at = ?" + _WHERE
VALUE = "UPDATE {ks}.device_variables USING TIMESTAMP ? SET value = ?" + _WHERE
MUTABILITY = "UPDATE {ks}.device_variables USING TIMESTAMP ? SET mutability = ?" + _WHERE
SET = (
    "UPDATE {ks}.device_variables USING TIMESTAMP ? SET set_value = ?, set_status = ?, set_at = ?,"
    " set_command_id = ?" + _WHERE
)
PART = (
    "UPDATE {ks}.device_report_parts USING TIMESTAMP ? SET tbc = ?, variables = ?, generated_at = ?,"
    " received_at = ? WHERE station_id = ? AND request_id = ? AND seq_no = ?"
)
REPORT_COMMAND = (
    "UPDATE {ks}.device_reports USING TIMESTAMP ? SET command_id = ?, command = ?, params_json = ?,"
    " requested_at = ? WHERE station_id = ? AND request_id = ?"
)
REPORT_OUTCOME = (
    "UPDATE {ks}.device_reports USING TIMESTAMP ? SET answer_status = ?, failure = ?"
    " WHERE station_id = ? AND request_id = ?"
)


def from_report_part(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    part = event.report_part_received
    at = to_datetime(event.occurred_at)
    ts = micros(at)
    out: list[Write] = []
    for variable in part.variables:
        keys = reported_keys(variable)
        for key, attribute in zip(keys, variable.attributes, strict=True):
            value = attribute.value if attribute.HasField("value") else None
            values = (value, attribute.mutability, attribute.persistent, attribute.constant, part.request_id, at)
            out.append(Write(ATTRIBUTE, (ts, *values, event.station_id, *key.row())))
        if variable.HasField("characteristics"):
            c = variable.characteristics
            found = (
                c.unit or None,
                c.data_type or None,
                c.min_limit if c.HasField("min_limit") else None,
                c.max_limit if c.HasField("max_limit") else None,
                c.values_list or None,
                c.supports_monitoring,
                c.max_elements if c.HasField("max_elements") else None,
            )
            out += [Write(CHARACTERISTICS, (ts, *found, event.station_id, *key.row())) for key in keys]
    where = (event.station_id, part.request_id, part.seq_no)
    out.append(Write(PART, (ts, part.tbc, len(part.variables), to_datetime(part.generated_at), at, *where)))
    return out


def from_command_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    """The writes of a command event (any state): see the module."""
    which = event.WhichOneof("event") or ""
    command: device_model_pb2.Command = getattr(event, which).command
    if command.command in REPORT_COMMANDS:
        return _report_command(event, which, command)
    if which != "command_answered" or command.command not in OBSERVED_COMMANDS:
        return []
    version = version_from_proto(command.ocpp_version).subprotocol
    found = observations(command.command, version, command.request_json, command.response_json)
    at = to_datetime(event.occurred_at)
    return [write for item in found for write in _observed(event.station_id, command.command_id, at, item)]


def _observed(station_id: str, command_id: str, at: datetime, found: Observation) -> list[Write]:
    ts, key = micros(at), (station_id, *found.key.row())
    if isinstance(found, ValueRead):
        out = [Write(READ, (ts, found.status, at, *key))]
        if found.status == "Accepted":
            out.append(Write(VALUE, (ts, found.value, *key)))
        if found.mutability is not None:
            out.append(Write(MUTABILITY, (ts, found.mutability, *key)))
        return out
    out = [Write(SET, (ts, found.value, found.status, at, command_id, *key))]
    if found.applied:
        out.append(Write(VALUE, (ts, found.value, *key)))
    return out


def _report_command(
    event: device_model_pb2.DeviceModelEvent, which: str, command: device_model_pb2.Command
) -> list[Write]:
    params = json.loads(command.params_json or "{}")
    request_id = params.get("request_id")
    if not isinstance(request_id, int):
        return []
    where = (event.station_id, request_id)
    requested_at = to_datetime(command.sent_at if command.HasField("sent_at") else command.created_at)
    asked = (command.command_id, command.command, command.params_json, requested_at)
    out = [Write(REPORT_COMMAND, (micros(requested_at), *asked, *where))]
    if which in ("command_answered", "command_failed", "command_expired"):
        at = micros(to_datetime(event.occurred_at))
        if which == "command_answered" and command.HasField("call_error"):
            answer, failure = "call_error", f"{command.call_error.code}: {command.call_error.description}"
        elif which == "command_answered":
            answer, failure = str(json.loads(command.result_json or "{}").get("status", "")), ""
        else:
            answer, failure = "", command.failure or which.removeprefix("command_")
        out.append(Write(REPORT_OUTCOME, (at, answer, failure, *where)))
    return out
