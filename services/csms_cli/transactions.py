"""`csms transactions show|list|status`: transaction queries and a station's transaction status (stdout;
errors on stderr)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from google.protobuf import json_format

from csms.transactions.v1 import transactions_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

_STATES = {transactions_pb2.TRANSACTION_STATE_ACTIVE: "active", transactions_pb2.TRANSACTION_STATE_ENDED: "ended"}
_LIST_COLUMNS = ("STATION", "TRANSACTION", "OCPP", "EVSE", "TOKEN", "STATE", "STARTED", "ENDED", "ENERGY Wh")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("transactions", help="charging transactions and their meter samples")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    show_parser = actions.add_parser("show", help="a transaction with its meter samples")
    show_parser.add_argument("transaction_id", metavar="ID")
    show_parser.add_argument("--station", default="", help="the station (when several use the same id)")
    show_parser.add_argument("--json", action="store_true", help="print JSON")
    show_parser.set_defaults(handler=show, uses_client=True)
    list_parser = actions.add_parser("list", help="transactions, newest first")
    list_parser.add_argument("--station", default="", help="of this station")
    list_parser.add_argument("--token", default="", help="of this id token")
    list_parser.add_argument("--since", type=_moment, metavar="ISO-TIME", help="first seen at or after")
    list_parser.add_argument("--until", type=_moment, metavar="ISO-TIME", help="first seen before")
    list_parser.add_argument("--active", action="store_true", help="active transactions only")
    list_parser.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_, uses_client=True)
    status_parser = actions.add_parser("status", help="ask a 2.x station about a transaction (GetTransactionStatus)")
    status_parser.add_argument("station_id", metavar="STATION")
    status_parser.add_argument("transaction_id", metavar="TRANSACTION", nargs="?", default="")
    status_parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="(default 30)")
    status_parser.set_defaults(handler=status, uses_client=True)


def show(args: argparse.Namespace, client: CsmsClient) -> int:
    response = render.found(
        f"transaction {args.transaction_id}", lambda: client.get_transaction(args.transaction_id, args.station)
    )
    return render.output(args.json, as_dict(response), lambda: _details(response))


def list_(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.limit < 1:
        print("error: --limit must be positive", file=sys.stderr)
        return exit_codes.INVALID
    request = transactions_pb2.ListTransactionsRequest(
        station_id=args.station, id_token=args.token, active_only=args.active
    )
    if args.since is not None:
        request.since.FromDatetime(args.since)
    if args.until is not None:
        request.until.FromDatetime(args.until)
    transactions, more = client.list_transactions(request, args.limit)
    render.output(args.json, [as_dict(t) for t in transactions], lambda: _table(transactions))
    if more:
        print(f"(more than {args.limit}; raise --limit or narrow the filters)", file=sys.stderr)
    return exit_codes.OK


def status(args: argparse.Namespace, client: CsmsClient) -> int:
    response = client.get_transaction_status(args.station_id, args.transaction_id, args.timeout)
    return render.station_answer(response)


def as_dict(message: transactions_pb2.Transaction | transactions_pb2.GetTransactionResponse) -> dict[str, object]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _table(transactions: list[transactions_pb2.Transaction]) -> str:
    missing = render.MISSING
    return render.table(
        _LIST_COLUMNS,
        [
            (
                t.station_id,
                t.transaction_id,
                render.OCPP_VERSIONS.get(t.ocpp_version, missing),
                f"{t.evse_id}/{t.connector_id}" if t.evse_id else missing,
                t.id_token.id_token or missing,
                _STATES.get(t.state, missing),
                render.time(t.started_at) if t.HasField("started_at") else missing,
                render.time(t.ended_at) if t.HasField("ended_at") else missing,
                f"{t.energy_wh:g}" if t.HasField("energy_wh") else missing,
            )
            for t in transactions
        ],
    )


def _details(response: transactions_pb2.GetTransactionResponse) -> str:
    t = response.transaction
    token = f"{t.id_token.id_token} ({t.id_token.type or 'idTag'}), {t.authorization_status or render.MISSING}"
    fields = [
        ("transaction", t.transaction_id + (" (stop without a start)" if t.unknown_start else "")),
        ("station", t.station_id),
        ("OCPP", render.OCPP_VERSIONS.get(t.ocpp_version, "")),
        ("evse/connector", f"{t.evse_id}/{t.connector_id}" if t.evse_id else ""),
        ("token", token if t.id_token.id_token else ""),
        ("state", _STATES.get(t.state, "") + (f", {t.charging_state}" if t.charging_state else "")),
        ("started", t.started_at.ToJsonString() if t.HasField("started_at") else ""),
        ("ended", t.ended_at.ToJsonString() if t.HasField("ended_at") else ""),
        ("stop reason", t.stop_reason),
        ("meter start Wh", f"{t.meter_start_wh:g}" if t.HasField("meter_start_wh") else ""),
        ("meter stop Wh", f"{t.meter_stop_wh:g}" if t.HasField("meter_stop_wh") else ""),
        ("energy Wh", f"{t.energy_wh:g}" if t.HasField("energy_wh") else ""),
    ]
    lines = [render.details(fields), f"samples: {len(response.samples)}\n" if response.samples else "samples: none\n"]
    for s in response.samples:
        value = f"{s.value:g} {s.unit}" if s.HasField("value") else f"{s.raw_value} ({s.format or 'signed'})"
        where = " ".join(part for part in (s.phase, s.location, s.context) if part)
        lines.append(f"  {render.time(s.sampled_at)}  {s.measurand}  {value}  {where}\n")
    return "".join(lines)
