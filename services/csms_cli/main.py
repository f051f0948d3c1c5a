"""Entry point of the `csms` command: argument parsing and dispatch to one module per command group.

Commands that talk to services get a `CsmsClient` from an injectable factory (tests pass a fake); service
errors are turned into messages on stderr and the exit codes of `exit_codes`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

import grpc

from csms_cli import call, exit_codes, local_lists, serve, sessions, stack, stations, tokens, transactions
from csms_cli.client import Addresses, CsmsClient, GrpcCsmsClient, RpcFailed, ServiceUnreachable
from csms_cli.settings import CliSettings

ClientFactory = Callable[[Addresses], CsmsClient]

_STATUS_EXIT_CODES = {
    grpc.StatusCode.DEADLINE_EXCEEDED: exit_codes.TIMEOUT,
    grpc.StatusCode.FAILED_PRECONDITION: exit_codes.OFFLINE,
    grpc.StatusCode.INVALID_ARGUMENT: exit_codes.INVALID,
}


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with `exit_codes.INVALID` (argparse's own 2 means a timeout here)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(exit_codes.INVALID, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="csms",
        description="Operate the CSMS: register stations, inspect them, send them calls, run services.",
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--device-model", metavar="HOST:PORT", help="device-model gRPC address (default: $CSMS_DEVICE_MODEL_ADDRESS)"
    )
    parser.add_argument(
        "--authorization",
        metavar="HOST:PORT",
        help="authorization gRPC address (default: $CSMS_AUTHORIZATION_ADDRESS)",
    )
    parser.add_argument(
        "--transactions", metavar="HOST:PORT", help="transactions gRPC address (default: $CSMS_TRANSACTIONS_ADDRESS)"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    station_parser = commands.add_parser("stations", help="registered stations and their state")
    station_commands = station_parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add = station_commands.add_parser("add", help="register a station, or replace its credentials")
    add.add_argument("station_id", metavar="ID")
    add.add_argument("--password", required=True, help="HTTP Basic password, 16..40 characters")
    add.add_argument("--security-profile", type=int, default=1, choices=(1, 2, 3), help="OCPP security profile")
    add.add_argument("--group", default="", metavar="G", help="station group (e.g. a site); default: none")
    add.set_defaults(handler=stations.add, uses_client=True)
    list_ = station_commands.add_parser("list", help="registered stations with vendor, model and connection")
    list_.add_argument("--json", action="store_true", help="print JSON")
    list_.set_defaults(handler=stations.list_, uses_client=True)
    show = station_commands.add_parser("show", help="a station's state: identity, connection, connectors")
    show.add_argument("station_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=stations.show, uses_client=True)

    call_parser = commands.add_parser(
        "call",
        help="send a CALL to a station and print its CALLRESULT payload",
        description="Send a CALL to a station wherever it is connected; print its CALLRESULT payload as JSON, "
        "or the CALLERROR on stderr.",
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    call_parser.add_argument("station_id", metavar="ID")
    call_parser.add_argument("action", metavar="ACTION", help="OCPP action, e.g. Reset")
    call_parser.add_argument("payload", metavar="JSON-PAYLOAD", help="the CALL payload, a JSON object")
    call_parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="wait this long for the answer (default 30)"
    )
    call_parser.set_defaults(handler=call.call, uses_client=True)

    serve_parser = commands.add_parser("serve", help="run a service in the foreground until SIGTERM")
    serve_parser.add_argument("service", choices=sorted(serve.SERVICES), metavar="SERVICE", help="{%(choices)s}")
    serve_parser.set_defaults(handler=serve.serve, uses_client=False)

    migrate_parser = commands.add_parser("migrate", help="create Kafka topics and Cassandra tables (idempotent)")
    migrate_parser.set_defaults(handler=serve.migrate, uses_client=False)

    stack.add_parser(commands)
    tokens.add_parser(commands)
    local_lists.add_parser(commands)
    transactions.add_parser(commands)
    sessions.add_parser(commands)
    return parser


def run(argv: Sequence[str] | None = None, client_factory: ClientFactory = GrpcCsmsClient) -> int:
    """Runs one command and returns its exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported
        return exc.code if isinstance(exc.code, int) else exit_codes.INVALID
    if not args.uses_client:
        result: int = args.handler(args)
        return result
    settings = CliSettings()
    client = client_factory(
        Addresses(
            device_model=args.device_model or settings.device_model_address,
            authorization=args.authorization or settings.authorization_address,
            transactions=args.transactions or settings.transactions_address,
        )
    )
    try:
        result = args.handler(args, client)
        return result
    except ServiceUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.UNREACHABLE
    except RpcFailed as exc:
        code = _STATUS_EXIT_CODES.get(exc.code)
        print(f"error: {exc.message if code else exc}", file=sys.stderr)
        return code or exit_codes.FAILED
    finally:
        client.close()


def main() -> None:
    sys.exit(run())
