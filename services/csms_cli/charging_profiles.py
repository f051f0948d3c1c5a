"""`csms charging-profiles show|set|clear|report|composite`: a station's charging profiles through the
smart-charging service (docs/adr/0041): install one (the profile as JSON, inline or from a file), clear by id or
criteria, ask a 2.x station to report its profiles, ask for the composite schedule (each handed to device-model's
commands once per `--key`), and show the CSMS's view (installed profiles, requests with their answers, the
latest composite schedule, the station's reports). Output on stdout, errors on stderr; reads the profile file
it is given."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from csms.smart_charging.v1 import smart_charging_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient
from csms_kernel.infra.envelopes import timestamp

PURPOSES = ("ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile", "ChargingStationExternalConstraints")


def _delivery(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue-if-offline", action="store_true", help="send it once an offline station is back")
    parser.add_argument("--expires-in", type=float, metavar="S", help="seconds until a queued request expires")
    parser.add_argument("--key", default="", help="idempotency key: a repeat with the same key sends nothing again")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _criteria(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evse", type=int, dest="evse_id", help="the EVSE (0: the station)")
    parser.add_argument("--purpose", choices=PURPOSES)
    parser.add_argument("--stack-level", type=int)


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("charging-profiles", help="charging profiles of a station")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    show = actions.add_parser("show", help="installed profiles, requests, composite schedule, station reports")
    show.add_argument("station_id", metavar="STATION")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_profiles, uses_client=True)
    set_ = actions.add_parser("set", help="install a charging profile (SetChargingProfile)")
    set_.add_argument("station_id", metavar="STATION")
    set_.add_argument("--evse", type=int, required=True, dest="evse_id", help="the EVSE (0: the whole station)")
    given = set_.add_mutually_exclusive_group(required=True)
    given.add_argument("--profile", help="the profile as JSON (docs/adr/0041: id, stack_level, purpose, ...)")
    given.add_argument("--profile-file", type=Path, metavar="FILE", help="the profile as a JSON file (-: stdin)")
    _delivery(set_)
    set_.set_defaults(handler=set_profile, uses_client=True)
    clear = actions.add_parser("clear", help="clear profiles by id or criteria (none: all)")
    clear.add_argument("station_id", metavar="STATION")
    clear.add_argument("--id", type=int, help="the profile id")
    _criteria(clear)
    _delivery(clear)
    clear.set_defaults(handler=clear_profiles, uses_client=True)
    report = actions.add_parser("report", help="2.x: ask the station to report its profiles (GetChargingProfiles)")
    report.add_argument("station_id", metavar="STATION")
    report.add_argument("--id", type=int, action="append", dest="ids", help="a profile id (repeatable)")
    _criteria(report)
    _delivery(report)
    report.set_defaults(handler=report_profiles, uses_client=True)
    composite = actions.add_parser("composite", help="ask for the composite schedule (GetCompositeSchedule)")
    composite.add_argument("station_id", metavar="STATION")
    composite.add_argument("--evse", type=int, required=True, dest="evse_id", help="the EVSE (0: the station)")
    composite.add_argument("--duration", type=int, required=True, metavar="S", help="seconds from now")
    composite.add_argument("--unit", choices=("A", "W"), dest="charging_rate_unit")
    _delivery(composite)
    composite.set_defaults(handler=ask_composite, uses_client=True)


class BadInput(ValueError):
    pass


def _profile(args: argparse.Namespace) -> Any:
    try:
        if args.profile is not None:
            return json.loads(args.profile)
        text = sys.stdin.read() if str(args.profile_file) == "-" else args.profile_file.read_text()
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise BadInput(f"the profile: {exc}") from exc


def _send(args: argparse.Namespace, client: CsmsClient, command: str, params: dict[str, Any]) -> int:
    if args.expires_in is not None and not args.queue_if_offline:
        print("error: --expires-in is only for --queue-if-offline", file=sys.stderr)
        return exit_codes.INVALID
    request = smart_charging_pb2.ProfileCommandRequest(
        station_id=args.station_id,
        params_json=json.dumps({name: value for name, value in params.items() if value is not None}),
        queue_if_offline=args.queue_if_offline,
        request_key=args.key,
    )
    if args.expires_in is not None:
        request.expires_at.CopyFrom(timestamp(datetime.now(UTC) + timedelta(seconds=args.expires_in)))
    made = client.profile_command(command, request)
    return render.output(
        args.json,
        _as_dict(made),
        lambda: render.details(
            [
                ("request", made.request_key),
                ("command", made.command),
                ("command id", made.command_id),
                ("queued if offline", "yes" if made.queued_if_offline else "no"),
            ]
        ),
    )


def set_profile(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        profile = _profile(args)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    return _send(args, client, "set-charging-profile", {"evse_id": args.evse_id, "profile": profile})


def clear_profiles(args: argparse.Namespace, client: CsmsClient) -> int:
    params = {"id": args.id, "evse_id": args.evse_id, "purpose": args.purpose, "stack_level": args.stack_level}
    return _send(args, client, "clear-charging-profile", params)


def report_profiles(args: argparse.Namespace, client: CsmsClient) -> int:
    params = {"ids": args.ids, "evse_id": args.evse_id, "purpose": args.purpose, "stack_level": args.stack_level}
    return _send(args, client, "get-charging-profiles", params)


def ask_composite(args: argparse.Namespace, client: CsmsClient) -> int:
    params = {"evse_id": args.evse_id, "duration": args.duration, "charging_rate_unit": args.charging_rate_unit}
    return _send(args, client, "get-composite-schedule", params)


def _limits(profile_json: str) -> str:
    schedules = json.loads(profile_json or "{}").get("schedules") or [{}]
    first = schedules[0]
    periods = ", ".join(f"{p.get('start_period')}s:{p.get('limit')}" for p in first.get("periods") or [])
    return f"{first.get('charging_rate_unit', '?')} {periods}"


def show_profiles(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.station_profiles(args.station_id)

    def text() -> str:
        installed = [
            [str(p.evse_id), str(p.profile_id), p.purpose, str(p.stack_level), _limits(p.profile_json)]
            for p in found.installed
        ]
        lines = render.table(("EVSE", "ID", "PURPOSE", "STACK", "LIMITS"), installed) + "\n"
        requests = [
            [render.time(r.requested_at), r.request.command, r.state, r.result_json or r.failure or render.MISSING]
            for r in found.requests
        ]
        lines += "\n" + render.table(("REQUESTED", "COMMAND", "STATE", "ANSWER"), requests) + "\n"
        if found.composite_result_json:
            lines += f"\ncomposite schedule ({found.composite_params_json}): {found.composite_result_json}\n"
        if found.reported:
            reported = [
                [
                    str(p.evse_id),
                    str(json.loads(p.profile_json).get("id")),
                    p.charging_limit_source,
                    str(p.ocpp_request_id),
                ]
                for p in found.reported
            ]
            lines += "\n" + render.table(("EVSE", "REPORTED ID", "SOURCE", "REQUEST"), reported) + "\n"
        if found.reports:
            reports = [[render.time(r.recorded_at), r.report.action, str(r.report.evse_id)] for r in found.reports]
            lines += "\n" + render.table(("REPORTED", "ACTION", "EVSE"), reports) + "\n"
        return lines

    return render.output(args.json, _as_dict(found), text)


def _as_dict(message: Any) -> dict[str, Any]:
    found: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return found
