"""`csms local-list push|version`: send the local authorization list to stations and read back the version a
station holds; argument handling and output (stdout; errors on stderr)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient, RpcFailed

OUTCOMES = {
    pb.PUSH_OUTCOME_ACCEPTED: "Accepted",
    pb.PUSH_OUTCOME_FAILED: "Failed",
    pb.PUSH_OUTCOME_VERSION_MISMATCH: "VersionMismatch",
    pb.PUSH_OUTCOME_NOT_SUPPORTED: "NotSupported",
    pb.PUSH_OUTCOME_OFFLINE: "offline",
    pb.PUSH_OUTCOME_TIMEOUT: "timeout",
    pb.PUSH_OUTCOME_ERROR: "error",
}
_COLUMNS = ("STATION", "RESULT", "VERSION", "ENTRIES", "DETAIL")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("local-list", help="the local authorization list on stations")
    list_commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    push = list_commands.add_parser(
        "push",
        help="send the current list to a station or to every station of a group",
        description="Send the current local list (every token added with --local-list) and print each station's "
        "result. Exit 0 when every station accepted it, 1 otherwise.",
    )
    target = push.add_mutually_exclusive_group(required=True)
    target.add_argument("--station", metavar="S", help="one station")
    target.add_argument("--group", metavar="G", help="every station of this group")
    push.add_argument(
        "--differential", action="store_true", help="only the changes since the version each station holds"
    )
    push.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per station (default 30)")
    push.add_argument("--json", action="store_true", help="print JSON")
    push.set_defaults(handler=push_list, uses_client=True)
    version = list_commands.add_parser(
        "version", help="ask a station for the version of its local list (GetLocalListVersion) and record it"
    )
    version.add_argument("station_id", metavar="STATION")
    version.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="default 30")
    version.set_defaults(handler=station_version, uses_client=True)


def push_list(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.station is not None:
        request = pb.PushLocalListRequest(station_id=args.station, differential=args.differential)
    else:
        request = pb.PushLocalListRequest(station_group=args.group, differential=args.differential)
    try:
        results = client.push_local_list(request, args.timeout)
    except RpcFailed as exc:
        if exc.code != grpc.StatusCode.NOT_FOUND:
            raise
        print(f"error: no station in group {args.group}", file=sys.stderr)
        return exit_codes.FAILED
    rows = [
        {
            "station_id": r.station_id,
            "result": OUTCOMES.get(r.outcome, "unknown"),
            "version": r.version_number if r.outcome in _SENT else None,
            "entries": r.entries if r.outcome in _SENT else None,
            "detail": r.detail,
        }
        for r in results
    ]
    render.output(args.json, rows, lambda: _table(rows))
    accepted = all(r.outcome == pb.PUSH_OUTCOME_ACCEPTED for r in results)
    return exit_codes.OK if accepted else exit_codes.FAILED


def station_version(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        version = client.refresh_local_list_version(args.station_id, args.timeout)
    except RpcFailed as exc:
        if exc.code != grpc.StatusCode.ABORTED:
            raise
        print(f"error: {exc.message}", file=sys.stderr)
        return exit_codes.FAILED
    current = client.local_list_status(args.station_id).list_version
    print(f"{args.station_id} holds local list version {version} (current list: version {current})")
    return exit_codes.OK


def _table(rows: Sequence[Mapping[str, object]]) -> str:
    keys = ("station_id", "result", "version", "entries", "detail")
    return render.table(_COLUMNS, [tuple(render.cell(row[key]) for key in keys) for row in rows])


# outcomes of a SendLocalList the station answered: version and entries are those sent
_SENT = (
    pb.PUSH_OUTCOME_ACCEPTED,
    pb.PUSH_OUTCOME_FAILED,
    pb.PUSH_OUTCOME_VERSION_MISMATCH,
    pb.PUSH_OUTCOME_NOT_SUPPORTED,
)
