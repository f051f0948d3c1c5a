"""`csms tokens add|list|show|block|delete`: id tokens (who may charge); argument handling and output (stdout; errors on
stderr)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime

from csms.authorization.v1 import authorization_pb2 as pb
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

TYPES: dict[str, pb.IdTokenType.ValueType] = {
    "Central": pb.ID_TOKEN_TYPE_CENTRAL,
    "eMAID": pb.ID_TOKEN_TYPE_EMAID,
    "ISO14443": pb.ID_TOKEN_TYPE_ISO14443,
    "ISO15693": pb.ID_TOKEN_TYPE_ISO15693,
    "KeyCode": pb.ID_TOKEN_TYPE_KEY_CODE,
    "Local": pb.ID_TOKEN_TYPE_LOCAL,
    "MacAddress": pb.ID_TOKEN_TYPE_MAC_ADDRESS,
}
STATUSES: dict[str, pb.IdTokenStatus.ValueType] = {
    "Accepted": pb.ID_TOKEN_STATUS_ACCEPTED,
    "Blocked": pb.ID_TOKEN_STATUS_BLOCKED,
    "Expired": pb.ID_TOKEN_STATUS_EXPIRED,
    "Invalid": pb.ID_TOKEN_STATUS_INVALID,
}
_TYPE_NAMES = {value: name for name, value in TYPES.items()}
_STATUS_NAMES = {value: name for name, value in STATUSES.items()}
_COLUMNS = ("TOKEN", "TYPE", "STATUS", "EXPIRES", "GROUP", "STATIONS", "LOCAL LIST")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("tokens", help="id tokens: who may charge")
    token_commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add = token_commands.add_parser("add", help="create an id token, or replace it")
    add.add_argument("id_token", metavar="TOKEN")
    add.add_argument("--type", required=True, choices=list(TYPES), help="OCPP IdToken type")
    add.add_argument("--status", default="Accepted", choices=list(STATUSES), help="default Accepted")
    add.add_argument("--expires", type=_aware_datetime, metavar="ISO-8601", help="expiry, with a time zone")
    add.add_argument("--group", metavar="G", help="group id (1.6 parentIdTag, 2.x groupIdToken)")
    add.add_argument(
        "--station",
        dest="stations",
        action="extend",
        nargs="+",
        default=[],
        metavar="S",
        help="valid only at these stations (default: everywhere)",
    )
    add.add_argument("--local-list", action="store_true", help="part of the local list sent to stations")
    add.set_defaults(handler=add_token, uses_client=True)
    list_ = token_commands.add_parser("list", help="every id token")
    list_.add_argument("--json", action="store_true", help="print JSON")
    list_.set_defaults(handler=list_tokens, uses_client=True)
    show = token_commands.add_parser("show", help="one id token (matched case-insensitively)")
    show.add_argument("id_token", metavar="TOKEN")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_token, uses_client=True)
    block = token_commands.add_parser("block", help="block an id token")
    block.add_argument("id_token", metavar="TOKEN")
    block.set_defaults(handler=block_token, uses_client=True)
    delete = token_commands.add_parser("delete", help="delete an id token (it leaves the local list)")
    delete.add_argument("id_token", metavar="TOKEN")
    delete.set_defaults(handler=delete_token, uses_client=True)


def add_token(args: argparse.Namespace, client: CsmsClient) -> int:
    request = pb.UpsertIdTokenRequest(
        id_token=args.id_token,
        type=TYPES[args.type],
        status=STATUSES[args.status],
        group_id_token=args.group or "",
        station_ids=args.stations,
        local_list=args.local_list,
    )
    if args.expires is not None:
        request.expires_at.FromDatetime(args.expires)
    response = client.upsert_id_token(request)
    print(f"{'added' if response.created else 'updated'} {response.token.id_token}")
    return exit_codes.OK


def list_tokens(args: argparse.Namespace, client: CsmsClient) -> int:
    rows = [_row(token) for token in sorted(client.list_id_tokens(), key=lambda t: t.id_token.upper())]
    return render.output(args.json, rows, lambda: _table(rows))


def show_token(args: argparse.Namespace, client: CsmsClient) -> int:
    row = _row(render.found(f"id token {args.id_token}", lambda: client.get_id_token(args.id_token)))
    return render.output(args.json, row, lambda: _details(row))


def block_token(args: argparse.Namespace, client: CsmsClient) -> int:
    token = render.found(f"id token {args.id_token}", lambda: client.block_id_token(args.id_token))
    print(f"blocked {token.id_token}")
    return exit_codes.OK


def delete_token(args: argparse.Namespace, client: CsmsClient) -> int:
    if not client.delete_id_token(args.id_token):
        raise render.NotFound(f"id token {args.id_token}")
    print(f"deleted {args.id_token}")
    return exit_codes.OK


Row = dict[str, object]


def _row(token: pb.IdTokenRecord) -> Row:
    return {
        "id_token": token.id_token,
        "type": _TYPE_NAMES.get(token.type),
        "status": _STATUS_NAMES.get(token.status),
        "expires_at": render.time(token.expires_at) if token.HasField("expires_at") else None,
        "group_id_token": token.group_id_token or None,
        "station_ids": list(token.station_ids),
        "local_list": token.local_list,
        "created_at": render.time(token.created_at),
        "updated_at": render.time(token.updated_at),
    }


def _cells(row: Row) -> tuple[str, ...]:
    """The values of `_COLUMNS` for one token."""
    stations = row["station_ids"]
    assert isinstance(stations, list)
    return (
        str(row["id_token"]),
        render.cell(row["type"]),
        render.cell(row["status"]),
        render.cell(row["expires_at"]),
        render.cell(row["group_id_token"]),
        ",".join(stations) or "all",
        "yes" if row["local_list"] else "no",
    )


def _table(rows: Sequence[Row]) -> str:
    return render.table(_COLUMNS, [_cells(row) for row in rows])


def _details(row: Row) -> str:
    """One `label: value` line per field, the labels of the list's columns."""
    return render.details(
        [
            *zip((c.lower() for c in _COLUMNS), _cells(row), strict=True),
            ("created", render.cell(row["created_at"])),
            ("updated", render.cell(row["updated_at"])),
        ]
    )


def _aware_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from exc
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"needs a time zone (e.g. Z or +01:00): {text!r}")
    return moment
