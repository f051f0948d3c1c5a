"""`csms periodic-streams list|data`: the OCPP 2.1 periodic event streams a station opened, and one stream's values
(oldest first) between two times (docs/adr/0035). Output on stdout (a table, or JSON with --json), errors on
stderr."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Literal

from google.protobuf import json_format

from csms.device_model.v1 import device_model_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

_STREAM_COLUMNS = ("STREAM", "STATE", "MONITOR", "INTERVAL", "VALUES", "OPENED", "CLOSED", "LAST DATA")
_VALUE_COLUMNS = ("SAMPLED", "VALUE")
MAX_VALUES = 10_000


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("periodic-streams", help="OCPP 2.1 periodic event streams of a station")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    list_parser = actions.add_parser("list", help="the streams a station opened (or sent values of)")
    list_parser.add_argument("station_id", metavar="STATION")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_streams, uses_client=True)
    data_parser = actions.add_parser("data", help="one stream's values, oldest first")
    data_parser.add_argument("station_id", metavar="STATION")
    data_parser.add_argument("stream_id", metavar="STREAM", type=int)
    data_parser.add_argument("--since", type=_moment, help="ISO 8601, inclusive (default: 24 h before --until)")
    data_parser.add_argument("--until", type=_moment, help="ISO 8601, exclusive (default: now)")
    data_parser.add_argument(
        "--limit", type=int, default=1000, help=f"at most this many (default 1000, max {MAX_VALUES})"
    )
    data_parser.add_argument("--json", action="store_true", help="print JSON")
    data_parser.set_defaults(handler=stream_data, uses_client=True)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("give a time zone (e.g. Z)")
    return moment


def list_streams(args: argparse.Namespace, client: CsmsClient) -> int:
    streams = client.list_periodic_streams(args.station_id)
    return render.output(args.json, [_as_dict(stream) for stream in streams], lambda: _streams_table(streams))


def stream_data(args: argparse.Namespace, client: CsmsClient) -> int:
    if not 1 <= args.limit <= MAX_VALUES:
        print(f"error: --limit must be between 1 and {MAX_VALUES}", file=sys.stderr)
        return exit_codes.INVALID
    request = device_model_pb2.GetPeriodicStreamDataRequest(
        station_id=args.station_id, stream_id=args.stream_id, limit=args.limit
    )
    if args.since is not None:
        request.since.FromDatetime(args.since)
    if args.until is not None:
        request.until.FromDatetime(args.until)
    values = client.get_periodic_stream_data(request)
    render.output(args.json, [_as_dict(value) for value in values], lambda: _values_table(values))
    if len(values) == args.limit:
        print(f"(at most {args.limit}; pass --since after the last one for more)", file=sys.stderr)
    return exit_codes.OK


def _as_dict(message: device_model_pb2.PeriodicStream | device_model_pb2.PeriodicStreamValue) -> dict[str, object]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _values_table(values: list[device_model_pb2.PeriodicStreamValue]) -> str:
    return render.table(_VALUE_COLUMNS, [(render.time(value.sampled_at), value.value) for value in values])


def _when(stream: device_model_pb2.PeriodicStream, field: Literal["opened_at", "closed_at", "last_data_at"]) -> str:
    return render.time(getattr(stream, field)) if stream.HasField(field) else render.MISSING


def _streams_table(streams: list[device_model_pb2.PeriodicStream]) -> str:
    return render.table(
        _STREAM_COLUMNS,
        [
            (
                str(s.stream_id),
                s.state,
                str(s.variable_monitoring_id) if s.state != "unknown" else render.MISSING,
                f"{s.interval_s} s" if s.interval_s else render.MISSING,
                str(s.values) if s.values else render.MISSING,
                _when(s, "opened_at"),
                _when(s, "closed_at"),
                _when(s, "last_data_at"),
            )
            for s in streams
        ],
    )
