"""`csms call`: sends a CSMS-initiated CALL to a station and prints its answer (stdout; errors on stderr)."""

from __future__ import annotations

import argparse
import json
import sys

from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "call",
        help="send a CALL to a station and print its CALLRESULT payload",
        description="Send a CALL to a station wherever it is connected; print its CALLRESULT payload as JSON, "
        "or the CALLERROR on stderr.",
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("station_id", metavar="ID")
    parser.add_argument("action", metavar="ACTION", help="OCPP action, e.g. Reset")
    parser.add_argument("payload", metavar="JSON-PAYLOAD", help="the CALL payload, a JSON object")
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="wait this long for the answer (default 30)"
    )
    parser.set_defaults(handler=call, uses_client=True)


def call(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        payload = json.loads(args.payload)
    except ValueError as exc:
        print(f"error: the payload is not valid JSON: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    if not isinstance(payload, dict):
        print(f"error: the payload must be a JSON object, got {type(payload).__name__}", file=sys.stderr)
        return exit_codes.INVALID
    if args.timeout <= 0:
        print("error: --timeout must be positive", file=sys.stderr)
        return exit_codes.INVALID
    return render.station_answer(client.send_call(args.station_id, args.action, args.payload, args.timeout))
