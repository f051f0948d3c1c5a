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

from csms_cli import (
    api_keys,
    artifacts,
    call,
    campaigns,
    charging_profiles,
    command,
    device_model,
    display_and_transfers,
    exit_codes,
    firmware,
    local_lists,
    monitoring,
    periodic_streams,
    projections,
    provisioning,
    render,
    security,
    serve,
    sessions,
    sites,
    stack,
    stations,
    tokens,
    transactions,
)
from csms_cli.client import Addresses, CsmsClient, GrpcCsmsClient, RpcFailed, ServiceUnreachable
from csms_cli.settings import CliSettings
from csms_kernel.infra.production import DevelopmentSecrets, refuse_development_secrets

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
    parser.add_argument(
        "--security", metavar="HOST:PORT", help="security gRPC address (default: $CSMS_SECURITY_ADDRESS)"
    )
    parser.add_argument(
        "--firmware", metavar="HOST:PORT", help="firmware gRPC address (default: $CSMS_FIRMWARE_ADDRESS)"
    )
    parser.add_argument(
        "--smart-charging",
        metavar="HOST:PORT",
        help="smart-charging gRPC address (default: $CSMS_SMART_CHARGING_ADDRESS)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    for module in (
        stations,
        call,
        command,
        serve,
        stack,
        tokens,
        local_lists,
        transactions,
        sessions,
        projections,
        api_keys,
        security,
        periodic_streams,
        display_and_transfers,
        device_model,
        provisioning,
        monitoring,
        firmware,
        campaigns,
        artifacts,
        charging_profiles,
        sites,
    ):
        module.add_parser(commands)
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
    try:
        refuse_development_secrets(settings)
    except DevelopmentSecrets as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    client = client_factory(
        Addresses(
            device_model=args.device_model or settings.device_model_address,
            authorization=args.authorization or settings.authorization_address,
            transactions=args.transactions or settings.transactions_address,
            security=args.security or settings.security_address,
            firmware=args.firmware or settings.firmware_address,
            smart_charging=args.smart_charging or settings.smart_charging_address,
            tls=settings.grpc_tls,
        )
    )
    try:
        result = args.handler(args, client)
        return result
    except render.NotFound as exc:
        return render.not_found(exc)
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
