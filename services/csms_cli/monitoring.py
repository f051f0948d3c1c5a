"""`csms monitoring events|monitors|customer-information` (docs/adr/0033): a station's event log (NotifyEvent),
newest first with filters; the monitors the CSMS knows it has and the progress of its monitoring reports; an
assembled customer information report. And the monitoring commands' senders under `csms command`
(set-variable-monitoring, clear-variable-monitoring, set-monitoring-base, set-monitoring-level,
get-monitoring-report, customer-information), added by `add_senders`. Output on stdout, errors on stderr; network
I/O through the client only."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.protobuf import json_format

from csms.device_model.v1 import device_model_pb2 as pb
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

_EVENT_COLUMNS = ("TIMESTAMP", "ID", "TRIGGER", "SEVERITY", "CLEARED", "COMPONENT.VARIABLE", "VALUE", "INFO")
_MONITOR_COLUMNS = ("ID", "COMPONENT.VARIABLE", "TYPE", "VALUE", "SEVERITY", "SOURCE")
MONITOR_TYPES = (
    "upper_threshold",
    "lower_threshold",
    "delta",
    "periodic",
    "periodic_clock_aligned",
    "target_delta",
    "target_delta_relative",
)

Params = Callable[[argparse.Namespace], dict[str, Any]]
Sender = Callable[[Any, str, str, Params], argparse.ArgumentParser]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "monitoring", help="a station's events, monitors and customer information reports (OCPP 2.x)"
    )
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    events = actions.add_parser("events", help="the station's events (NotifyEvent), newest first")
    events.add_argument("station_id", metavar="STATION")
    events.add_argument("--since", type=datetime.fromisoformat, metavar="TIME", help="at or after (ISO 8601)")
    cleared = events.add_mutually_exclusive_group()
    cleared.add_argument("--cleared", action="store_true", default=None, help="only cleared events")
    cleared.add_argument("--active", action="store_true", help="only events not cleared")
    events.add_argument("--severity", type=int, help="only this severity or more urgent (0 danger .. 9 debug)")
    events.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    events.add_argument("--json", action="store_true", help="print JSON")
    events.set_defaults(handler=list_events, uses_client=True)
    monitors = actions.add_parser("monitors", help="the station's monitors and monitoring reports")
    monitors.add_argument("station_id", metavar="STATION")
    monitors.add_argument("--json", action="store_true", help="print JSON")
    monitors.set_defaults(handler=list_monitors, uses_client=True)
    information = actions.add_parser(
        "customer-information", help="a customer information report (the customer-information command's request_id)"
    )
    information.add_argument("station_id", metavar="STATION")
    information.add_argument("request_id", type=int, metavar="REQUEST_ID")
    information.add_argument("--json", action="store_true", help="print JSON")
    information.set_defaults(handler=show_customer_information, uses_client=True)


def add_senders(names: Any, sender: Sender) -> None:
    """The monitoring commands under `csms command`, built with its `sender` (station, timeout, --no-wait, ...)."""
    monitor = sender(names, "set-variable-monitoring", "set a monitor on a component variable (2.x)", _set_monitor)
    monitor.add_argument("target", nargs="?", metavar="COMPONENT.VARIABLE")
    monitor.add_argument("--type", choices=MONITOR_TYPES, help="target_delta*: 2.1 only")
    monitor.add_argument("--value", type=float, help="the threshold, delta or interval")
    monitor.add_argument("--severity", type=int, help="0 (danger) .. 9 (debug)")
    monitor.add_argument("--transaction", action="store_true", help="only during a transaction")
    monitor.add_argument("--id", type=int, help="replace the station's monitor of this id")
    monitor.add_argument("--evse", type=int, help="the component of this EVSE")
    monitor.add_argument("--connector", type=int, help="with --evse: of this connector")
    monitor.add_argument("--monitors", metavar="JSON", help="instead: several monitors as the command's JSON list")

    clear = sender(names, "clear-variable-monitoring", "remove monitors by id (2.x)", lambda a: {"ids": a.ids})
    clear.add_argument("ids", nargs="+", type=int, metavar="ID")

    base = sender(
        names, "set-monitoring-base", "which monitors the station activates (2.x)", lambda a: {"base": a.base}
    )
    base.add_argument("base", choices=["all", "factory_default", "hard_wired_only"])

    level = sender(
        names, "set-monitoring-level", "the least urgent severity reported (2.x)", lambda a: {"severity": a.severity}
    )
    level.add_argument("severity", type=int, metavar="SEVERITY", help="0 (danger) .. 9 (debug)")

    report = sender(names, "get-monitoring-report", "ask for the station's monitors (2.x)", _report)
    report.add_argument("--criteria", nargs="+", choices=["threshold", "delta", "periodic"])
    report.add_argument("--target", nargs="+", metavar="COMPONENT[.VARIABLE]", help="only these")

    customer = sender(
        names, "customer-information", "report and/or clear what the station keeps about a customer (2.x)", _customer
    )
    who = customer.add_mutually_exclusive_group(required=True)
    who.add_argument("--id-token", metavar="TOKEN", help="with --id-token-type")
    who.add_argument("--customer-identifier", metavar="TEXT")
    who.add_argument(
        "--certificate", metavar="ALG:NAMEHASH:KEYHASH:SERIAL", help="customer certificate hash data (SHA256, ...)"
    )
    customer.add_argument("--id-token-type", default="ISO14443", help="OCPP spelling (default ISO14443)")
    customer.add_argument("--clear", action="store_true", help="clear the customer's data")
    customer.add_argument("--no-report", action="store_true", help="with --clear: do not report it")


def _set_monitor(args: argparse.Namespace) -> dict[str, Any]:
    if args.monitors is not None:
        monitors = json.loads(args.monitors)
        return {"monitors": monitors}
    if args.target is None or args.type is None or args.value is None or args.severity is None:
        raise ValueError("give COMPONENT.VARIABLE, --type, --value and --severity (or --monitors)")
    component, _, variable = args.target.partition(".")
    target: Any = args.target
    if args.evse is not None:
        target = {"component": component, "variable": variable, "evse_id": args.evse}
        if args.connector is not None:
            target["connector_id"] = args.connector
    found: dict[str, Any] = {
        "target": target,
        "type": args.type,
        "value": args.value,
        "severity": args.severity,
        "transaction": args.transaction,
    }
    if args.id is not None:
        found["id"] = args.id
    return {"monitors": [found]}


def _report(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if args.criteria:
        params["criteria"] = args.criteria
    if args.target:
        params["targets"] = args.target
    return params


def _customer(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {"report": not args.no_report, "clear": args.clear}
    if args.id_token is not None:
        params["id_token"] = {"id_token": args.id_token, "type": args.id_token_type}
    elif args.customer_identifier is not None:
        params["customer_identifier"] = args.customer_identifier
    else:
        parts = args.certificate.split(":")
        if len(parts) != 4:
            raise ValueError("--certificate is ALG:NAMEHASH:KEYHASH:SERIAL")
        names = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")
        params["customer_certificate"] = dict(zip(names, parts, strict=True))
    return params


def list_events(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.limit < 1:
        print("error: --limit must be positive", file=sys.stderr)
        return exit_codes.INVALID
    request = pb.ListStationEventsRequest(station_id=args.station_id)
    if args.since is not None:
        request.since.FromDatetime(args.since)
    if args.cleared or args.active:
        request.cleared = bool(args.cleared)
    if args.severity is not None:
        request.max_severity = args.severity
    events, more = client.list_station_events(request, args.limit)
    render.output(args.json, [_as_dict(e) for e in events], lambda: _events_table(events))
    if more:
        print(f"(more than {args.limit}; raise --limit or narrow with --since)", file=sys.stderr)
    return exit_codes.OK


def list_monitors(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.list_monitors(args.station_id)
    return render.output(args.json, _as_dict(found), lambda: _monitors_text(found))


def show_customer_information(args: argparse.Namespace, client: CsmsClient) -> int:
    what = f"customer information {args.request_id} of station {args.station_id}"
    try:
        found = render.found(what, lambda: client.get_customer_information(args.station_id, args.request_id))
    except render.NotFound as exc:
        return render.not_found(exc)
    fields = [
        ("Station", found.station_id),
        ("Request", found.request_id),
        ("Status", found.status),
        ("Parts", found.parts_received),
        ("Missing", ", ".join(map(str, found.missing_seq_nos))),
        ("Generated", render.time(found.generated_at) if found.HasField("generated_at") else None),
    ]
    return render.output(args.json, _as_dict(found), lambda: render.details(fields) + f"\n{found.data}\n")


def _as_dict(message: Any) -> dict[str, Any]:
    found: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return found


def _name(target: pb.MonitoredVariable) -> str:
    evse = f"@{target.evse_id}" if target.HasField("evse_id") else ""
    connector = f"/{target.connector_id}" if target.HasField("connector_id") else ""
    return f"{target.component}{evse}{connector}.{target.variable}"


def _events_table(events: list[pb.StationEvent]) -> str:
    return render.table(
        _EVENT_COLUMNS,
        [
            (
                render.time(e.event.timestamp),
                str(e.event.event_id),
                e.event.trigger,
                render.cell(e.severity if e.HasField("severity") else None),
                "yes" if e.event.cleared else "no",
                _name(e.event.target),
                e.event.actual_value,
                render.cell(e.event.tech_info or None),
            )
            for e in events
        ],
    )


def _monitors_text(found: pb.ListMonitorsResponse) -> str:
    monitors = render.table(
        _MONITOR_COLUMNS,
        [
            (
                str(m.monitor.id),
                _name(m.monitor.target),
                m.monitor.type,
                f"{m.monitor.value:g}",
                str(m.monitor.severity),
                m.source,
            )
            for m in found.monitors
        ],
    )
    reports = "".join(
        f"report {r.request_id}: {r.status}, {r.parts_received} parts, {r.monitors} monitors\n" for r in found.reports
    )
    return monitors + reports
