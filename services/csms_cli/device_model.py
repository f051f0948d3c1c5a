"""`csms device-model show|reports`: a station's device model inventory (filtered by component, variable, EVSE,
attribute type) and its device model reports with their progress (docs/adr/0032). Output on stdout, errors on
stderr."""

from __future__ import annotations

import argparse
import json
import sys

from google.protobuf import json_format

from csms.device_model.v1 import device_model_pb2
from csms_cli import render
from csms_cli.client import CsmsClient

_VARIABLE_COLUMNS = ("COMPONENT", "EVSE", "VARIABLE", "ATTRIBUTE", "VALUE", "MUTABILITY", "SET", "READ")
_REPORT_COLUMNS = ("REQUEST", "STATE", "COMMAND", "ANSWER", "PARTS", "LAST SEQ", "MISSING", "VARIABLES", "REQUESTED")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("device-model", help="a station's device model inventory and reports")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    show_parser = actions.add_parser(
        "show",
        help="the station's variables as reported (get-base-report, get-report), read and set (get-configuration, "
        "set-configuration; 1.6 keys under component OCPP16)",
    )
    show_parser.add_argument("station_id", metavar="STATION")
    show_parser.add_argument("--component", default="", help="only this component (exact name)")
    show_parser.add_argument("--variable", default="", help="only this variable (exact name)")
    show_parser.add_argument("--evse", type=int, metavar="ID", help="only this EVSE (-1: components of no EVSE)")
    show_parser.add_argument(
        "--attribute", default="", choices=("", "Actual", "Target", "MinSet", "MaxSet"), help="only this attribute"
    )
    show_parser.add_argument("--limit", type=int, default=5000, help="at most this many attributes (default 5000)")
    show_parser.add_argument("--json", action="store_true", help="print JSON")
    show_parser.set_defaults(handler=show, uses_client=True)
    reports_parser = actions.add_parser("reports", help="the station's reports and their progress per requestId")
    reports_parser.add_argument("station_id", metavar="STATION")
    reports_parser.add_argument("--json", action="store_true", help="print JSON")
    reports_parser.set_defaults(handler=reports, uses_client=True)


def show(args: argparse.Namespace, client: CsmsClient) -> int:
    request = device_model_pb2.GetDeviceModelRequest(
        station_id=args.station_id, component=args.component, variable=args.variable, attribute_type=args.attribute
    )
    if args.evse is not None:
        request.evse_id = args.evse
    variables, more = client.get_device_model(request, args.limit)
    if more:
        print(f"warning: more than {args.limit} attributes; showing the first {args.limit}", file=sys.stderr)
    found = [json_format.MessageToDict(v, preserving_proto_field_name=True) for v in variables]
    return render.output(args.json, found, lambda: _variables_table(variables))


def reports(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.list_reports(args.station_id)
    as_json = [json_format.MessageToDict(r, preserving_proto_field_name=True) for r in found]
    return render.output(args.json, as_json, lambda: _reports_table(found))


def _component(v: device_model_pb2.DeviceVariable) -> str:
    return f"{v.component}[{v.component_instance}]" if v.component_instance else v.component


def _evse(v: device_model_pb2.DeviceVariable) -> str:
    if not v.HasField("evse_id"):
        return render.MISSING
    return f"{v.evse_id}/{v.connector_id}" if v.HasField("connector_id") else str(v.evse_id)


def _variables_table(variables: list[device_model_pb2.DeviceVariable]) -> str:
    lines = [
        (
            _component(v),
            _evse(v),
            f"{v.variable}[{v.variable_instance}]" if v.variable_instance else v.variable,
            v.attribute_type,
            render.cell(v.value if v.HasField("value") else None),
            render.cell(v.mutability or None),
            f"{v.set_status} {json.dumps(v.set_value)}" if v.set_status else render.MISSING,
            render.cell(v.get_status or None),
        )
        for v in variables
    ]
    return render.table(_VARIABLE_COLUMNS, lines)


def _reports_table(found: list[device_model_pb2.Report]) -> str:
    lines = [
        (
            str(r.request_id),
            r.state,
            render.cell(r.command or None),
            render.cell(r.answer_status or r.failure or None),
            str(r.parts_received),
            render.cell(r.last_seq_no if r.HasField("last_seq_no") else None),
            ",".join(map(str, r.missing_seq_nos)) or render.MISSING,
            str(r.variables_received),
            render.time(r.requested_at) if r.HasField("requested_at") else render.MISSING,
        )
        for r in found
    ]
    return render.table(_REPORT_COLUMNS, lines)
