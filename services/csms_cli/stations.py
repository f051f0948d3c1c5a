"""`csms stations add|list|show`: argument handling and output formatting (stdout; errors on stderr)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from google.protobuf import json_format

from csms.authorization.v1 import authorization_pb2
from csms.device_model.v1 import device_model_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient, ServiceUnreachable

_LIST_COLUMNS = ("STATION", "PROFILE", "GROUP", "VENDOR", "MODEL", "OCPP", "CONNECTED", "NODE", "LAST SEEN")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("stations", help="registered stations and their state")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    add_ = actions.add_parser("add", help="register a station, or replace its credentials")
    add_.add_argument("station_id", metavar="ID")
    add_.add_argument("--password", required=True, help="HTTP Basic password, 16..40 characters")
    add_.add_argument("--security-profile", type=int, default=1, choices=(1, 2, 3), help="OCPP security profile")
    add_.add_argument("--group", default="", metavar="G", help="station group (e.g. a site); default: none")
    add_.set_defaults(handler=add, uses_client=True)
    list_parser = actions.add_parser("list", help="registered stations with vendor, model and connection")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_, uses_client=True)
    show_parser = actions.add_parser("show", help="a station's state: identity, connection, connectors")
    show_parser.add_argument("station_id", metavar="ID")
    show_parser.add_argument("--json", action="store_true", help="print JSON")
    show_parser.set_defaults(handler=show, uses_client=True)


def add(args: argparse.Namespace, client: CsmsClient) -> int:
    created = client.register_station(args.station_id, args.password, args.security_profile, args.group)
    print(f"{'registered' if created else 'updated'} {args.station_id}")
    return exit_codes.OK


def list_(args: argparse.Namespace, client: CsmsClient) -> int:
    registered = client.list_registered_stations()
    projection: dict[str, device_model_pb2.Station] | None
    try:
        projection = {s.station_id: s for s in client.list_stations()}
    except ServiceUnreachable as exc:
        print(f"warning: {exc}; showing registrations only", file=sys.stderr)
        projection = None
    rows = _join(registered, projection)
    return render.output(args.json, rows, lambda: _table(rows))


def show(args: argparse.Namespace, client: CsmsClient) -> int:
    station = render.found(f"station {args.station_id}", lambda: client.get_station(args.station_id))
    as_dict = json_format.MessageToDict(
        station, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return render.output(args.json, as_dict, lambda: _details(station))


Row = dict[str, object]


def _join(
    registered: Sequence[authorization_pb2.RegisteredStation],
    projection: dict[str, device_model_pb2.Station] | None,
) -> list[Row]:
    """One row per station known to either service, by station id; None where a value is unknown."""
    profiles = {s.station_id: s.security_profile for s in registered}
    groups = {s.station_id: s.group for s in registered if s.group}
    ids = sorted(set(profiles) | set(projection or ()))
    rows: list[Row] = []
    for station_id in ids:
        seen = (projection or {}).get(station_id)
        rows.append(
            {
                "station_id": station_id,
                "registered": station_id in profiles,
                "security_profile": profiles.get(station_id),
                "group": groups.get(station_id),
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


def _table(rows: Sequence[Row]) -> str:
    cell = render.cell
    return render.table(
        _LIST_COLUMNS,
        [
            (
                str(row["station_id"]),
                cell(row["security_profile"]),
                cell(row["group"]),
                cell(row["vendor"]),
                cell(row["model"]),
                cell(row["ocpp_version"]),
                render.MISSING if row["connected"] is None else "yes" if row["connected"] else "no",
                cell(row["edge_node_id"]),
                cell(row["last_seen_at"]),
            )
            for row in rows
        ],
    )


def _details(station: device_model_pb2.Station) -> str:
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
    fields = [
        ("station", station.station_id),
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
