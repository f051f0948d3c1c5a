"""`csms sessions start|stop`: remote start and stop on every OCPP version; prints the station's answer
(stdout; a CALLERROR or a Rejected answer exits 1)."""

from __future__ import annotations

import argparse
import sys

from csms.transactions.v1 import transactions_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("sessions", help="start and stop charging sessions remotely")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    start_parser = actions.add_parser(
        "start", help="RemoteStartTransaction (1.6) / RequestStartTransaction (2.x) for a token"
    )
    start_parser.add_argument("station_id", metavar="STATION")
    start_parser.add_argument("--token", required=True, help="the id token to charge for")
    start_parser.add_argument(
        "--token-type", default="", help="2.x IdTokenType (default Central; ignored for 1.6 stations)"
    )
    start_parser.add_argument("--evse", type=int, help="2.x evseId / 1.6 connectorId (default: the station picks)")
    start_parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="(default 30)")
    start_parser.set_defaults(handler=start, uses_client=True)
    stop_parser = actions.add_parser(
        "stop", help="RemoteStopTransaction (1.6) / RequestStopTransaction (2.x) of a transaction"
    )
    stop_parser.add_argument("station_id", metavar="STATION")
    stop_parser.add_argument("transaction_id", metavar="TRANSACTION")
    stop_parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="(default 30)")
    stop_parser.set_defaults(handler=stop, uses_client=True)


def start(args: argparse.Namespace, client: CsmsClient) -> int:
    token = transactions_pb2.IdToken(id_token=args.token, type=args.token_type)
    response = client.start_session(args.station_id, token, args.evse, args.timeout)
    return _accepted(response, render.station_answer(response))


def stop(args: argparse.Namespace, client: CsmsClient) -> int:
    response = client.stop_session(args.station_id, args.transaction_id, args.timeout)
    return _accepted(response, render.station_answer(response))


def _accepted(response: transactions_pb2.StartSessionResponse | transactions_pb2.StopSessionResponse, code: int) -> int:
    if code == exit_codes.OK and response.status != "Accepted":
        print(f"the station answered {response.status or 'without a status'}", file=sys.stderr)
        return exit_codes.FAILED
    return code
