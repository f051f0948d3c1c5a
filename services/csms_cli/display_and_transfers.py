"""Display messages and DataTransfers (docs/adr/0034): `csms display-messages STATION` (what the station shows, as
far as the CSMS knows), `csms data-transfers STATION` (its DataTransfer log, both directions, newest first), and the
operator commands `csms command set-display-message | get-display-messages | clear-display-message` (their
parameters; `command.py` sends them). Output on stdout, errors on stderr. Network I/O through the client only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format

from csms.device_model.v1 import device_model_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

PRIORITIES = ("always_front", "in_front", "normal_cycle")
STATES = ("charging", "faulted", "idle", "unavailable", "suspended", "discharging")
FORMATS = ("utf8", "ascii", "html", "uri", "qrcode")
_MESSAGE_COLUMNS = ("ID", "PRIORITY", "STATE", "FORMAT", "CONTENT", "UNTIL", "SOURCE")
_TRANSFER_COLUMNS = ("RECORDED", "DIRECTION", "VENDOR", "MESSAGE", "STATUS", "DATA")

Sender = Callable[[Any, str, str, Callable[[argparse.Namespace], dict[str, Any]]], argparse.ArgumentParser]


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    messages = commands.add_parser("display-messages", help="the display messages a station shows (2.x)")
    messages.add_argument("station_id", metavar="STATION")
    messages.add_argument("--json", action="store_true", help="print JSON")
    messages.set_defaults(handler=list_messages, uses_client=True)
    transfers = commands.add_parser("data-transfers", help="a station's DataTransfers, both directions, newest first")
    transfers.add_argument("station_id", metavar="STATION")
    transfers.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    transfers.add_argument("--json", action="store_true", help="print JSON")
    transfers.set_defaults(handler=list_transfers, uses_client=True)


def add_commands(names: argparse._SubParsersAction, sender: Sender) -> None:  # type: ignore[type-arg]
    """The display message operator commands, added to `csms command` through its `sender`."""
    set_ = sender(names, "set-display-message", "show a message on the station's display (2.x)", _set)
    set_.add_argument("id", metavar="ID", type=int, help="the message id (a message with this id is replaced)")
    set_.add_argument("content", metavar="CONTENT")
    set_.add_argument("--priority", choices=PRIORITIES, default="normal_cycle", help="(default normal_cycle)")
    set_.add_argument("--format", choices=FORMATS, help="(default utf8; qrcode: 2.1)")
    set_.add_argument("--language", metavar="CODE", help="RFC 5646, e.g. en, de-CH")
    set_.add_argument("--state", choices=STATES, help="shown in this station state only (suspended, discharging: 2.1)")
    set_.add_argument("--start-at", metavar="RFC3339", help="shown from then (default: now)")
    set_.add_argument("--end-at", metavar="RFC3339", help="removed by the station then")
    set_.add_argument("--transaction-id", metavar="ID", help="shown during this transaction only")
    set_.add_argument("--display", metavar="NAME", help="the display component (e.g. Display)")
    set_.add_argument("--display-instance", metavar="INSTANCE")
    set_.add_argument("--display-evse", type=int, metavar="N", help="the display of this EVSE")
    set_.add_argument("--display-connector", type=int, metavar="N", help="with --display-evse: of this connector")

    get = sender(names, "get-display-messages", "ask the station for its display messages (2.x)", _get)
    get.add_argument("--id", type=int, action="append", dest="ids", metavar="ID", help="this message (repeat)")
    get.add_argument("--priority", choices=PRIORITIES)
    get.add_argument("--state", choices=STATES)

    clear = sender(names, "clear-display-message", "remove a message from the station's display (2.x)", _clear)
    clear.add_argument("id", metavar="ID", type=int)


def _without_none(**params: Any) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


def _set(args: argparse.Namespace) -> dict[str, Any]:
    display = None
    if args.display is not None:
        display = _without_none(
            name=args.display,
            instance=args.display_instance,
            evse_id=args.display_evse,
            connector_id=args.display_connector,
        )
    elif args.display_instance is not None or args.display_evse is not None or args.display_connector is not None:
        raise ValueError("--display-instance, --display-evse and --display-connector need --display NAME")
    return _without_none(
        id=args.id,
        priority=args.priority,
        content=args.content,
        format=args.format,
        language=args.language,
        state=args.state,
        start_at=args.start_at,
        end_at=args.end_at,
        transaction_id=args.transaction_id,
        display=display,
    )


def _get(args: argparse.Namespace) -> dict[str, Any]:
    return _without_none(ids=args.ids, priority=args.priority, state=args.state)


def _clear(args: argparse.Namespace) -> dict[str, Any]:
    return {"id": args.id}


def list_messages(args: argparse.Namespace, client: CsmsClient) -> int:
    messages = client.list_display_messages(args.station_id)
    return render.output(args.json, [_as_dict(m) for m in messages], lambda: _messages_table(messages))


def list_transfers(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.limit < 1:
        print("error: --limit must be positive", file=sys.stderr)
        return exit_codes.INVALID
    transfers, more = client.list_data_transfers(args.station_id, args.limit)
    render.output(args.json, [_as_dict(t) for t in transfers], lambda: _transfers_table(transfers))
    if more:
        print(f"(more than {args.limit}; raise --limit)", file=sys.stderr)
    return exit_codes.OK


def _as_dict(message: device_model_pb2.DisplayMessage | device_model_pb2.DataTransfer) -> dict[str, object]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _messages_table(messages: list[device_model_pb2.DisplayMessage]) -> str:
    return render.table(
        _MESSAGE_COLUMNS,
        [
            (
                str(m.id),
                m.priority,
                m.state or "any",
                m.format,
                _one_line(m.content),
                render.time(m.end_at) if m.HasField("end_at") else render.MISSING,
                m.source,
            )
            for m in messages
        ],
    )


def _transfers_table(transfers: list[device_model_pb2.DataTransfer]) -> str:
    return render.table(
        _TRANSFER_COLUMNS,
        [
            (
                render.time(t.recorded_at),
                "in" if t.direction == "station_to_csms" else "out",
                _one_line(t.vendor_id, 30),
                _one_line(t.message_id, 30) or render.MISSING,
                t.status,
                _one_line(t.data_json, 40) or render.MISSING,
            )
            for t in transfers
        ],
    )


def _one_line(text: str, width: int = 50) -> str:
    """Station-chosen text on one line (control characters escaped), clipped."""
    escaped = text.encode("unicode_escape").decode("ascii")
    return escaped if len(escaped) <= width else escaped[: width - 3] + "..."
