"""`csms stations add|list|show|update|delete`: argument handling and output formatting (stdout; errors on
stderr).

A station password is never taken on the command line (it would show in `ps` and the shell history): it is read
from stdin (`--password-stdin`, its first line), from `$CSMS_STATION_PASSWORD` (`--password-env`) or at a prompt
without echo (`--password-prompt`); `--password-hex` says it is an OCPP 1.6 AuthorizationKey in hex.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from google.protobuf import json_format

from csms.authorization.v1 import authorization_pb2
from csms.device_model.v1 import device_model_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient, ServiceUnreachable

_LIST_COLUMNS = (
    "STATION",
    "PROFILE",
    "GROUP",
    "ENABLED",
    "VENDOR",
    "MODEL",
    "OCPP",
    "CONNECTED",
    "NODE",
    "LAST SEEN",
)

T = TypeVar("T")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("stations", help="registered stations and their state")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add_ = actions.add_parser("add", help="register a new station (an existing one is left as it is)")
    add_.add_argument("station_id", metavar="ID")
    _password_arguments(add_)
    add_.add_argument(
        "--security-profile",
        type=int,
        default=1,
        choices=(1, 2, 3),
        help="OCPP security profile (3: the client certificate is the credential, no password needed)",
    )
    add_.add_argument("--group", default="", metavar="G", help="station group (e.g. a site); default: none")
    add_.set_defaults(handler=add, uses_client=True)
    list_parser = actions.add_parser("list", help="registered stations with vendor, model and connection")
    list_parser.add_argument("--group", metavar="G", help="only the stations of this group")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_, uses_client=True)
    show_parser = actions.add_parser("show", help="a station's registration and state: connection, connectors")
    show_parser.add_argument("station_id", metavar="ID")
    show_parser.add_argument("--json", action="store_true", help="print JSON")
    show_parser.set_defaults(handler=show, uses_client=True)
    update_parser = actions.add_parser(
        "update",
        help="change a station's registration; a new password or security profile, disabling or deleting closes "
        "its connection",
    )
    update_parser.add_argument("station_id", metavar="ID")
    _password_arguments(update_parser)
    update_parser.add_argument("--security-profile", type=int, choices=(1, 2, 3), help="OCPP security profile")
    group = update_parser.add_mutually_exclusive_group()
    group.add_argument("--group", metavar="G", help="move the station to this group")
    group.add_argument("--no-group", action="store_true", help="take the station out of its group")
    enabled = update_parser.add_mutually_exclusive_group()
    enabled.add_argument("--enable", dest="enabled", action="store_const", const=True, help="allow it to connect")
    enabled.add_argument("--disable", dest="enabled", action="store_const", const=False, help="refuse it")
    update_parser.set_defaults(handler=update, uses_client=True)
    delete_parser = actions.add_parser("delete", help="remove a station's registration (it is refused from then)")
    delete_parser.add_argument("station_id", metavar="ID")
    delete_parser.set_defaults(handler=delete, uses_client=True)


PASSWORD_ENV = "CSMS_STATION_PASSWORD"


class _NotOnTheCommandLine(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        parser.error(
            "a password is not taken on the command line (it would show in ps and the shell history): use "
            f"--password-stdin, --password-env (${PASSWORD_ENV}) or --password-prompt"
        )


class PasswordError(Exception):
    pass


def _password_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--password-stdin",
        dest="password_from",
        action="store_const",
        const="stdin",
        help="read the HTTP Basic password (16..64 printable ASCII characters) from the first line of stdin",
    )
    source.add_argument(
        "--password-env",
        dest="password_from",
        action="store_const",
        const="env",
        help=f"take the password from ${PASSWORD_ENV}",
    )
    source.add_argument(
        "--password-prompt",
        dest="password_from",
        action="store_const",
        const="prompt",
        help="ask for the password (not echoed)",
    )
    source.add_argument("--password", nargs="?", action=_NotOnTheCommandLine, help=argparse.SUPPRESS)
    parser.add_argument(
        "--password-hex",
        action="store_true",
        help="the password is an OCPP 1.6 AuthorizationKey, 32..40 hex digits (16..20 bytes); the station may "
        "present the hex text or the raw bytes",
    )


def _password(args: argparse.Namespace) -> str | None:
    """The password from where the arguments say (None: none asked for); in lowercase hex with --password-hex."""
    if args.password_from is None:
        if args.password_hex:
            raise PasswordError(
                "--password-hex: give the key with --password-stdin, --password-env or --password-prompt"
            )
        return None
    if args.password_from == "stdin":
        password = sys.stdin.readline().rstrip("\r\n")
    elif args.password_from == "env":
        if PASSWORD_ENV not in os.environ:
            raise PasswordError(f"--password-env: ${PASSWORD_ENV} is not set")
        password = os.environ[PASSWORD_ENV]
    else:
        password = getpass.getpass("station password: ")
    return _authorization_key(password) if args.password_hex else password


def _authorization_key(value: str) -> str:
    """The 1.6 key in the lowercase hex the registry compares raw-byte passwords against."""
    try:
        key = bytes.fromhex(value)
    except ValueError:
        raise PasswordError("--password-hex: not hex digits") from None
    if not 16 <= len(key) <= 20 or len(value) != 2 * len(key):
        raise PasswordError("--password-hex: an AuthorizationKey is 32..40 hex digits (16..20 bytes)")
    return key.hex()


def add(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        password = _password(args)
    except PasswordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    if password is None and args.security_profile != 3:
        print(
            "error: give the password by --password-stdin, --password-env or --password-prompt (only a security "
            "profile 3 station may have none)",
            file=sys.stderr,
        )
        return exit_codes.INVALID
    if not client.register_station(args.station_id, password or "", args.security_profile, args.group):
        print(
            f"error: station {args.station_id} is registered already; nothing changed "
            "(change it with `csms stations update`)",
            file=sys.stderr,
        )
        return exit_codes.FAILED
    print(f"registered {args.station_id}")
    return exit_codes.OK


def list_(args: argparse.Namespace, client: CsmsClient) -> int:
    registered = client.list_registered_stations(args.group or "")
    projection: dict[str, device_model_pb2.Station] | None
    try:
        projection = {s.station_id: s for s in client.list_stations()}
    except ServiceUnreachable as exc:
        print(f"warning: {exc}; showing registrations only", file=sys.stderr)
        projection = None
    if projection is not None and args.group:
        members = {s.station_id for s in registered}
        projection = {station_id: s for station_id, s in projection.items() if station_id in members}
    rows = _join(registered, projection)
    return render.output(args.json, rows, lambda: _table(rows))


def show(args: argparse.Namespace, client: CsmsClient) -> int:
    registration = _unless_not_found(lambda: client.get_registered_station(args.station_id))
    try:
        station = _unless_not_found(lambda: client.get_station(args.station_id))
    except ServiceUnreachable as exc:
        if registration is None:
            raise
        print(f"warning: {exc}; showing the registration only", file=sys.stderr)
        station = None
    if registration is None and station is None:
        raise render.NotFound(f"station {args.station_id}")
    as_dict: dict[str, object] = (
        json_format.MessageToDict(station, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)
        if station is not None
        else {"station_id": args.station_id}
    )
    as_dict["registration"] = _registration_dict(registration) if registration is not None else None
    return render.output(args.json, as_dict, lambda: _details(args.station_id, registration, station))


def update(args: argparse.Namespace, client: CsmsClient) -> int:
    request = authorization_pb2.UpdateStationRequest(station_id=args.station_id)
    try:
        password = _password(args)
    except PasswordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    if password is not None:
        request.password = password
    if args.security_profile is not None:
        request.security_profile = args.security_profile
    if args.group is not None or args.no_group:
        request.group = args.group or ""
    if args.enabled is not None:
        request.enabled = args.enabled
    if len(request.ListFields()) == 1:
        print(
            "error: nothing to change; give --password-stdin/-env/-prompt, --security-profile, --group/--no-group "
            "or --enable/--disable",
            file=sys.stderr,
        )
        return exit_codes.INVALID
    station = render.found(f"station {args.station_id}", lambda: client.update_station(request))
    print(f"updated {station.station_id}")
    return exit_codes.OK


def delete(args: argparse.Namespace, client: CsmsClient) -> int:
    if not client.delete_station(args.station_id):
        raise render.NotFound(f"station {args.station_id}")
    print(f"deleted {args.station_id}")
    return exit_codes.OK


def _unless_not_found(fetch: Callable[[], T]) -> T | None:
    try:
        return render.found("", fetch)
    except render.NotFound:
        return None


Row = dict[str, object]


def _join(
    registered: Sequence[authorization_pb2.RegisteredStation],
    projection: dict[str, device_model_pb2.Station] | None,
) -> list[Row]:
    """One row per station known to either service, by station id; None where a value is unknown."""
    by_id = {s.station_id: s for s in registered}
    ids = sorted(set(by_id) | set(projection or ()))
    rows: list[Row] = []
    for station_id in ids:
        seen = (projection or {}).get(station_id)
        registration = by_id.get(station_id)
        rows.append(
            {
                "station_id": station_id,
                "registered": registration is not None,
                "security_profile": registration.security_profile if registration else None,
                "group": (registration.group or None) if registration else None,
                "enabled": registration.enabled if registration else None,
                "vendor": (seen.vendor or None) if seen else None,
                "model": (seen.model or None) if seen else None,
                "ocpp_version": render.OCPP_VERSIONS.get(seen.ocpp_version) if seen else None,
                # Unknown (None) only when the device-model service could not be asked.
                "connected": (seen.connected if seen else False) if projection is not None else None,
                "edge_node_id": (seen.edge_node_id or None) if seen and seen.connected else None,
                "last_seen_at": render.time(seen.last_seen_at) if seen and seen.HasField("last_seen_at") else None,
            }
        )
    return rows


def _yes_no(value: object) -> str:
    return render.MISSING if value is None else "yes" if value else "no"


def _table(rows: Sequence[Row]) -> str:
    cell = render.cell
    return render.table(
        _LIST_COLUMNS,
        [
            (
                str(row["station_id"]),
                cell(row["security_profile"]),
                cell(row["group"]),
                _yes_no(row["enabled"]),
                cell(row["vendor"]),
                cell(row["model"]),
                cell(row["ocpp_version"]),
                _yes_no(row["connected"]),
                cell(row["edge_node_id"]),
                cell(row["last_seen_at"]),
            )
            for row in rows
        ],
    )


def _registration_dict(registration: authorization_pb2.RegisteredStation) -> dict[str, object]:
    return {
        "security_profile": registration.security_profile,
        "group": registration.group or None,
        "enabled": registration.enabled,
        "created_at": render.time(registration.created_at) if registration.HasField("created_at") else None,
        "updated_at": render.time(registration.updated_at) if registration.HasField("updated_at") else None,
        "pending_security_profile": registration.pending_security_profile or None,
        "password_rotation_pending": registration.password_rotation_pending,
    }


def _details(
    station_id: str,
    registration: authorization_pb2.RegisteredStation | None,
    station: device_model_pb2.Station | None,
) -> str:
    fields: list[tuple[str, object]] = [("station", station_id)]
    if registration is None:
        fields.append(("registered", "no"))
    else:
        fields += [
            ("registered", render.time(registration.created_at) if registration.HasField("created_at") else "yes"),
            ("updated", render.time(registration.updated_at) if registration.HasField("updated_at") else ""),
            ("enabled", "yes" if registration.enabled else "no (refused at the handshake)"),
            ("security profile", registration.security_profile),
            ("group", registration.group),
        ]
        if registration.pending_security_profile:
            fields.append(
                ("profile upgrade", f"pending to {registration.pending_security_profile} (until it connects at it)")
            )
        if registration.password_rotation_pending:
            fields.append(("password rotation", "pending (until it connects with the new password)"))
    if station is None:
        return render.details([*fields, ("connected", "never seen")])
    if station.connected:
        node, connection = station.edge_node_id or render.MISSING, station.connection_id or render.MISSING
        connected = f"yes, node {node}, connection {connection}"
        if station.edge_address:
            connected += f" (edge gRPC {station.edge_address})"
    else:
        connected = "no"
    last_boot = render.time(station.last_boot_at) if station.HasField("last_boot_at") else render.MISSING
    if station.boot_reason:
        last_boot += f" ({station.boot_reason})"
    fields += [
        ("vendor", station.vendor),
        ("model", station.model),
        ("serial number", station.serial_number),
        ("firmware", station.firmware_version),
        ("OCPP", render.OCPP_VERSIONS.get(station.ocpp_version, "")),
        ("connected", connected),
        ("last boot", last_boot),
        ("last seen", render.time(station.last_seen_at) if station.HasField("last_seen_at") else ""),
    ]
    if not station.connectors:
        return render.details([*fields, ("connectors", "none")])
    lines = [render.details(fields), "connectors:\n"]
    for c in station.connectors:
        status = c.status + (f" ({c.error_code})" if c.error_code and c.error_code != "NoError" else "")
        since = f", since {render.time(c.updated_at)}" if c.HasField("updated_at") else ""
        lines.append(f"  evse {c.evse_id} connector {c.connector_id}: {status}{since}\n")
    return "".join(lines)
