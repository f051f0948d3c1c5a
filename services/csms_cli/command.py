"""`csms command`: operator commands in one shape for every OCPP version (docs/adr/0020-operator-commands.md).

`csms command NAME STATION ...` sends one (reset, change-availability, unlock-connector, reserve-now and
cancel-reservation (docs/adr/0043), trigger-message,
clear-cache, get-configuration, set-configuration, get-base-report, get-report (docs/adr/0032), data-transfer,
set-display-message, get-display-messages, clear-display-message, the monitoring commands (set-variable-monitoring,
clear-variable-monitoring, set-monitoring-base, set-monitoring-level, get-monitoring-report, customer-information,
docs/adr/0033), raw; the security commands certificate-signed,
install-certificate, get-installed-certificate-ids, delete-certificate, set-password, set-security-profile,
docs/adr/0027; publish-firmware and unpublish-firmware for 2.x local controllers, docs/adr/0037: firmware updates
and log uploads go through `csms firmware`) and prints its neutral result as JSON (stdout); a CALLERROR, a
failure or an expiry goes to stderr with the exit codes of `exit_codes` (a timeout 2, offline 3). `--no-wait`
and a command queued for an offline station print its id and state. `csms command show ID` and `csms command
list STATION` read commands back. Certificates are read from PEM files (`-`: stdin); a new password never comes
from the command line (review finding #11): `--password-stdin`, `--generate` (random, not printed) or a prompt.
Network I/O through the client only; reads the files and the terminal it is given.
"""

from __future__ import annotations

import argparse
import getpass
import json
import secrets
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from csms.device_model.v1 import device_model_pb2 as pb
from csms_cli import display_and_transfers, exit_codes, monitoring, render
from csms_cli.client import CsmsClient

STATES = {
    pb.COMMAND_STATE_QUEUED: "queued",
    pb.COMMAND_STATE_SENT: "sent",
    pb.COMMAND_STATE_ANSWERED: "answered",
    pb.COMMAND_STATE_FAILED: "failed",
    pb.COMMAND_STATE_EXPIRED: "expired",
}
DEFAULT_EXPIRY_S = 3600.0

Params = Callable[[argparse.Namespace], dict[str, Any]]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "command",
        help="send a station a command in one shape for every OCPP version, or read commands back",
        description="Operator commands: translated to the station's OCPP version (1.6, 2.0.1, 2.1); the "
        "station's answer is printed as one neutral JSON result.",
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    names = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    reset = _sender(names, "reset", "restart the station (or on 2.x one EVSE)", _reset)
    reset.add_argument(
        "--type",
        required=True,
        choices=["soft", "hard", "immediate", "on_idle", "immediate_and_resume"],
        help="1.6: soft | hard; 2.0.1: immediate | on_idle; 2.1 also immediate_and_resume",
    )
    reset.add_argument("--evse", type=int, help="2.x: reset this EVSE only")

    availability = _sender(
        names, "change-availability", "make the station, an EVSE or a connector (in)operative", _availability
    )
    state = availability.add_mutually_exclusive_group(required=True)
    state.add_argument("--operative", action="store_true")
    state.add_argument("--inoperative", action="store_true")
    _evse_and_connector(availability)

    unlock = _sender(names, "unlock-connector", "unlock a connector", _unlock)
    unlock.add_argument("--evse", type=int, required=True, help="the EVSE (1.6: the connector number)")
    unlock.add_argument("--connector", type=int, default=1, help="its connector (default 1; 1.6 has only 1)")

    reserve = _sender(names, "reserve-now", "reserve an EVSE (or the whole station) for a token", _reserve)
    reserve.add_argument("--id", type=int, required=True, help="the reservation id (a new one replaces nothing)")
    reserve.add_argument("--token", required=True, help="the only token (with its group) that may start there")
    reserve.add_argument("--expires-at", required=True, metavar="ISO", help="when it ends (RFC 3339)")
    reserve.add_argument("--evse", type=int, help="the EVSE (1.6: the connector); absent: the whole station")
    reserve.add_argument("--token-type", help="2.x IdToken type (default Central)")
    reserve.add_argument("--group", help="its group token (1.6 parentIdTag, 2.x groupIdToken)")
    reserve.add_argument("--connector-type", help="2.x: any EVSE with this connector type, e.g. cType2")

    cancel = _sender(names, "cancel-reservation", "cancel a reservation", _cancel_reservation)
    cancel.add_argument("--id", type=int, required=True, help="the reservation id")

    trigger = _sender(names, "trigger-message", "ask the station to send a message now", _trigger)
    trigger.add_argument("message", metavar="MESSAGE", help="e.g. heartbeat, status_notification, meter_values")
    _evse_and_connector(trigger)
    trigger.add_argument("--custom-trigger", metavar="NAME", help="2.1: with MESSAGE custom_trigger")

    _sender(names, "clear-cache", "clear the station's authorization cache", lambda args: {})

    get = _sender(names, "get-configuration", "read configuration keys (all when none is given)", _get)
    get.add_argument("keys", nargs="*", metavar="KEY", help="a 1.6 key (HeartbeatInterval) or a 2.x Component.Variable")

    set_ = _sender(names, "set-configuration", "change configuration keys", _set)
    set_.add_argument("settings", nargs="+", metavar="KEY=VALUE")

    base = _sender(names, "get-base-report", "2.x: ask for a device model report (csms device-model reports)", _base)
    base.add_argument("report_base", choices=("configuration_inventory", "full_inventory", "summary_inventory"))

    report = _sender(names, "get-report", "2.x: ask for the device model matching criteria", _report)
    report.add_argument(
        "--criterion", action="append", choices=("active", "available", "enabled", "problem"), help="repeatable"
    )
    report.add_argument(
        "--variable", action="append", metavar="COMPONENT[.VARIABLE]", help="repeatable; without VARIABLE: all of it"
    )

    transfer = _sender(names, "data-transfer", "send a vendor-specific DataTransfer", _transfer)
    transfer.add_argument("vendor_id", metavar="VENDOR_ID")
    transfer.add_argument("--message-id")
    transfer.add_argument("--data", help="JSON (sent as parsed) or text")

    display_and_transfers.add_commands(names, _sender)

    publish = _sender(names, "publish-firmware", "2.x local controller: download and serve a firmware image", _publish)
    publish.add_argument("--location", required=True, help="URL of the image")
    publish.add_argument("--checksum", required=True, help="MD5 of the image (32 hex digits)")
    unpublish = _sender(names, "unpublish-firmware", "2.x local controller: stop serving an image", _unpublish)
    unpublish.add_argument("--checksum", required=True, help="MD5 of the image (32 hex digits)")

    raw = _sender(names, "raw", "send any action of the station's version with its own payload", _raw)
    raw.add_argument("action", metavar="ACTION", help="an action the CSMS sends in the station's version")
    raw.add_argument(
        "payload", metavar="JSON-PAYLOAD", nargs="?", default="{}", help="camelCase, as the version has it"
    )

    signed = _sender(names, "certificate-signed", "give the station the certificate chain signed for its CSR", _signed)
    signed.add_argument("--chain-file", required=True, metavar="PEM", help="the chain, leaf first (-: stdin)")
    signed.add_argument(
        "--type", default="charging_station", choices=["charging_station", "v2g", "v2g20"], help="2.x: its use"
    )
    signed.add_argument("--request-id", type=int, help="2.1: the requestId of the station's SignCertificate")

    install = _sender(names, "install-certificate", "install a root certificate on the station", _install)
    install.add_argument("certificate_type", metavar="TYPE", choices=ROOTS, help=" | ".join(ROOTS))
    install.add_argument("--file", required=True, metavar="PEM", help="the certificate (-: stdin)")

    installed = _sender(
        names, "get-installed-certificate-ids", "list the station's certificates by their hash data", _installed
    )
    installed.add_argument("certificate_types", nargs="*", metavar="TYPE", help="none: all; " + " | ".join(TYPES))

    delete = _sender(names, "delete-certificate", "delete an installed certificate", _delete)
    by = delete.add_mutually_exclusive_group(required=True)
    by.add_argument("--certificate-file", metavar="PEM", help="the certificate (then its issuer unless self-signed)")
    by.add_argument("--serial-number", metavar="HEX", help="with the issuer hashes, as get-installed-certificate-ids")
    delete.add_argument("--hash-algorithm", choices=["SHA256", "SHA384", "SHA512"])
    delete.add_argument("--issuer-name-hash", metavar="HEX")
    delete.add_argument("--issuer-key-hash", metavar="HEX")

    password = _sender(
        names,
        "set-password",
        "rotate the station's password on the station (never given on the command line)",
        _password,
    )
    source = password.add_mutually_exclusive_group()
    source.add_argument("--password-stdin", action="store_true", help="read it from the first line of stdin")
    source.add_argument(
        "--generate", action="store_true", help="a random 40-hex-digit password (any version; 1.6 key), not printed"
    )

    profile = _sender(names, "set-security-profile", "upgrade the station's security profile", _profile)
    profile.add_argument("security_profile", metavar="PROFILE", type=int, choices=(2, 3))
    profile.add_argument("--csms-url", metavar="WSS_URL", help="2.x: where the station connects at the new profile")
    profile.add_argument("--slot", type=int, metavar="N", help="2.x: the network configuration slot to use")
    profile.add_argument(
        "--fallback-slot", type=int, action="append", metavar="N", help="2.x: tried after it (repeat; e.g. the current)"
    )
    profile.add_argument("--interface", metavar="NAME", help="2.x: wired0 (default) .. wireless3, 2.1 any")
    profile.add_argument("--message-timeout", type=int, metavar="SECONDS", help="2.x: default 30")
    profile.add_argument("--reset", choices=["on_idle", "immediate"], help="2.x: how it restarts (default on_idle)")

    monitoring.add_senders(names, _sender)

    show = names.add_parser("show", help="one command: its state, what was sent and what came back")
    show.add_argument("command_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="the whole record as JSON")
    show.set_defaults(handler=show_command, uses_client=True)

    listing = names.add_parser("list", help="a station's commands, newest first")
    listing.add_argument("station_id", metavar="STATION")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_commands, uses_client=True)


def _sender(names: argparse._SubParsersAction, name: str, help_: str, params: Params) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser: argparse.ArgumentParser = names.add_parser(
        name, help=help_, epilog=exit_codes.HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("station_id", metavar="STATION")
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="wait this long for the answer (default 30)"
    )
    parser.add_argument("--no-wait", action="store_true", help="print the command's id once it is recorded")
    parser.add_argument("--queue-if-offline", action="store_true", help="keep it for an offline station")
    parser.add_argument(
        "--idempotency-key",
        default="",
        metavar="KEY",
        help="your name for this command: repeating it with the same key returns the one command (never two)",
    )
    parser.add_argument(
        "--expires-in",
        type=float,
        metavar="SECONDS",
        help=f"with --queue-if-offline: give up after this long (default {DEFAULT_EXPIRY_S:.0f})",
    )
    parser.add_argument("--json", action="store_true", help="print the whole record as JSON")
    parser.set_defaults(handler=send, uses_client=True, command=name, params=params)
    return parser


def _evse_and_connector(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evse", type=int, help="this EVSE (1.6: this connector) only")
    parser.add_argument("--connector", type=int, help="with --evse: this connector of it only")


def _without_none(**params: Any) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


def _reset(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(type=args.type, evse_id=args.evse)


def _availability(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(operational=bool(args.operative), evse_id=args.evse, connector_id=args.connector)


def _unlock(args: argparse.Namespace) -> dict[str, Any]:
    return {"evse_id": args.evse, "connector_id": args.connector}


def _reserve(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(
        reservation_id=args.id,
        id_token=args.token,
        expires_at=args.expires_at,
        evse_id=args.evse,
        token_type=args.token_type,
        group_id_token=args.group,
        connector_type=args.connector_type,
    )


def _cancel_reservation(args: argparse.Namespace) -> dict[str, Any]:
    return {"reservation_id": args.id}


def _trigger(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(
        message=args.message, evse_id=args.evse, connector_id=args.connector, custom_trigger=args.custom_trigger
    )


def _get(args: argparse.Namespace) -> dict[str, Any]:
    return {"keys": args.keys} if args.keys else {}


def _base(args: argparse.Namespace) -> dict[str, Any]:
    return {"report_base": args.report_base}


def _report(args: argparse.Namespace) -> dict[str, Any]:
    wanted = []
    for named in args.variable or ():
        component, _, variable = named.partition(".")
        wanted.append(_without_none(component=component, variable=variable or None))
    return _without_none(component_criteria=args.criterion, component_variables=wanted or None)


def _set(args: argparse.Namespace) -> dict[str, Any]:
    settings = []
    for setting in args.settings:
        key, sep, value = setting.partition("=")
        if not sep or not key:
            raise ValueError(f"{setting!r} is not KEY=VALUE")
        settings.append({"key": key, "value": value})
    return {"settings": settings}


def _transfer(args: argparse.Namespace) -> dict[str, Any]:
    data: Any = args.data
    if data is not None:
        try:
            data = json.loads(data)
        except ValueError:
            pass  # text, sent as it is
    return _without_none(vendor_id=args.vendor_id, message_id=args.message_id, data=data)


def _publish(args: argparse.Namespace) -> dict[str, Any]:
    return {"location": args.location, "checksum": args.checksum}


def _unpublish(args: argparse.Namespace) -> dict[str, Any]:
    return {"checksum": args.checksum}


def _raw(args: argparse.Namespace) -> dict[str, Any]:
    try:
        payload = json.loads(args.payload)
    except ValueError as exc:
        raise ValueError(f"the payload is not valid JSON: {exc}") from exc
    return {"action": args.action, "payload": payload}


ROOTS = ["csms_root", "manufacturer_root", "v2g_root", "mo_root", "oem_root"]
TYPES = [*ROOTS, "v2g_certificate_chain"]


def _pem(path: str) -> str:
    """A PEM file's text (`-`: stdin); ValueError when it cannot be read."""
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="ascii") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc


def _signed(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(
        certificate_chain_pem=_pem(args.chain_file), certificate_type=args.type, request_id=args.request_id
    )


def _install(args: argparse.Namespace) -> dict[str, Any]:
    return {"certificate_type": args.certificate_type, "certificate_pem": _pem(args.file)}


def _installed(args: argparse.Namespace) -> dict[str, Any]:
    return {"certificate_types": args.certificate_types} if args.certificate_types else {}


def _delete(args: argparse.Namespace) -> dict[str, Any]:
    if args.certificate_file is not None:
        if args.issuer_name_hash or args.issuer_key_hash:
            raise ValueError("give either --certificate-file or the hash data, not both")
        return _without_none(certificate_pem=_pem(args.certificate_file), hash_algorithm=args.hash_algorithm)
    return _without_none(
        hash_algorithm=args.hash_algorithm or "SHA256",
        issuer_name_hash=args.issuer_name_hash,
        issuer_key_hash=args.issuer_key_hash,
        serial_number=args.serial_number,
    )


def _password(args: argparse.Namespace) -> dict[str, Any]:
    if args.generate:
        return {"password": secrets.token_hex(20)}
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("new password: ")
        if getpass.getpass("again: ") != password:
            raise ValueError("the passwords differ")
    else:
        raise ValueError("give the password with --password-stdin, or --generate one (never on the command line)")
    if not password:
        raise ValueError("the password is empty")
    return {"password": password}


def _profile(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(
        security_profile=args.security_profile,
        csms_url=args.csms_url,
        configuration_slot=args.slot,
        fallback_slots=args.fallback_slot,
        ocpp_interface=args.interface,
        message_timeout_s=args.message_timeout,
        reset=args.reset,
    )


def send(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        params = args.params(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    if args.timeout <= 0 or (args.expires_in is not None and args.expires_in <= 0):
        print("error: --timeout and --expires-in must be positive", file=sys.stderr)
        return exit_codes.INVALID
    if args.expires_in is not None and not args.queue_if_offline:
        print("error: --expires-in only applies with --queue-if-offline", file=sys.stderr)
        return exit_codes.INVALID
    request = pb.SendCommandRequest(
        station_id=args.station_id,
        command=args.command,
        params_json=json.dumps(params),
        timeout_ms=round(args.timeout * 1000),
        wait=not args.no_wait,
        queue_if_offline=args.queue_if_offline,
        idempotency_key=args.idempotency_key,
    )
    if args.queue_if_offline:
        expires = datetime.now(UTC) + timedelta(seconds=args.expires_in or DEFAULT_EXPIRY_S)
        request.expires_at.FromDatetime(expires)
    return outcome(client.send_command(request), args.json)


def outcome(command: pb.Command, as_json: bool) -> int:
    """Prints a command as a send reports it; the exit code says how it ended."""
    code = exit_code(command)
    if as_json:
        print(json.dumps(as_dict(command), indent=2))
    elif command.state == pb.COMMAND_STATE_ANSWERED and not command.HasField("call_error"):
        print(json.dumps(json.loads(command.result_json), indent=2))
    elif command.state in (pb.COMMAND_STATE_QUEUED, pb.COMMAND_STATE_SENT):
        print(json.dumps({"command_id": command.command_id, "state": STATES[command.state]}))
    else:
        print(problem(command), file=sys.stderr)
    return code


def exit_code(command: pb.Command) -> int:
    if command.state == pb.COMMAND_STATE_ANSWERED:
        return exit_codes.FAILED if command.HasField("call_error") else exit_codes.OK
    if command.state == pb.COMMAND_STATE_FAILED:
        if command.failure.startswith("timeout"):
            return exit_codes.TIMEOUT
        return exit_codes.OFFLINE if command.failure.startswith("offline") else exit_codes.FAILED
    return exit_codes.FAILED if command.state == pb.COMMAND_STATE_EXPIRED else exit_codes.OK


def problem(command: pb.Command) -> str:
    if command.HasField("call_error"):
        error = command.call_error
        return f"CALLERROR {error.code}: {error.description}"
    if command.state == pb.COMMAND_STATE_EXPIRED:
        return f"expired: not sent by {render.time(command.expires_at)} (command {command.command_id})"
    return f"failed: {command.failure} (command {command.command_id})"


def show_command(args: argparse.Namespace, client: CsmsClient) -> int:
    command = render.found(f"command {args.command_id}", lambda: client.get_command(args.command_id))
    return render.output(args.json, as_dict(command), lambda: _details(command))


def list_commands(args: argparse.Namespace, client: CsmsClient) -> int:
    commands, more = client.list_commands(args.station_id, args.limit)
    if args.json:
        print(json.dumps([as_dict(c) for c in commands], indent=2))
        return exit_codes.OK
    lines = [
        (c.command_id, c.command, STATES.get(c.state, "?"), render.time(c.created_at), _summary(c)) for c in commands
    ]
    print(render.table(("id", "command", "state", "created", "outcome"), lines), end="")
    if more:
        print(f"(more than {args.limit}; --limit shows more)")
    return exit_codes.OK


def _summary(command: pb.Command) -> str:
    if command.state == pb.COMMAND_STATE_ANSWERED and not command.HasField("call_error"):
        return command.result_json
    return problem(command) if command.state in (pb.COMMAND_STATE_ANSWERED, pb.COMMAND_STATE_FAILED) else ""


def _details(command: pb.Command) -> str:
    fields: list[tuple[str, object]] = [
        ("id", command.command_id),
        ("station", command.station_id),
        ("command", command.command),
        ("params", command.params_json),
        ("state", STATES.get(command.state, "?")),
        ("ocpp version", render.OCPP_VERSIONS.get(command.ocpp_version, "")),
        ("created", render.time(command.created_at)),
        ("expires", render.time(command.expires_at) if command.HasField("expires_at") else ""),
        ("sent", render.time(command.sent_at) if command.HasField("sent_at") else ""),
        ("finished", render.time(command.finished_at) if command.HasField("finished_at") else ""),
        ("request", command.request_json),
        ("response", command.response_json),
        ("result", command.result_json),
        ("failure", problem(command) if command.HasField("call_error") else command.failure),
    ]
    return render.details(fields)


def as_dict(command: pb.Command) -> dict[str, Any]:
    """The whole record, with its JSON fields parsed."""
    found: dict[str, Any] = {
        "command_id": command.command_id,
        "station_id": command.station_id,
        "command": command.command,
        "params": json.loads(command.params_json or "{}"),
        "state": STATES.get(command.state, "unspecified"),
        "ocpp_version": render.OCPP_VERSIONS.get(command.ocpp_version, ""),
        "request": json.loads(command.request_json or "[]"),
        "response": json.loads(command.response_json or "[]"),
        "result": json.loads(command.result_json) if command.result_json else None,
        "call_error": None,
        "failure": command.failure or None,
        "timeout_ms": command.timeout_ms,
    }
    if command.HasField("call_error"):
        error = command.call_error
        details = json.loads(error.details_json or "{}")
        found["call_error"] = {"code": error.code, "description": error.description, "details": details}
    for name in ("created_at", "sent_at", "finished_at", "expires_at"):
        found[name] = render.time(getattr(command, name)) if command.HasField(name) else None
    return found
