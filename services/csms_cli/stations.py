"""`csms stations add|list|show`: argument handling and output formatting (stdout; errors on stderr)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import grpc
from google.protobuf import json_format, timestamp_pb2

from csms.authorization.v1 import authorization_pb2
from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_cli import exit_codes
from csms_cli.client import CsmsClient, RpcFailed, ServiceUnreachable

_OCPP_VERSIONS = {
    envelope_pb2.OCPP_VERSION_16: "1.6",
    envelope_pb2.OCPP_VERSION_201: "2.0.1",
    envelope_pb2.OCPP_VERSION_21: "2.1",
}
_LIST_COLUMNS = ("STATION", "PROFILE", "GROUP", "VENDOR", "MODEL", "OCPP", "CONNECTED", "NODE", "LAST SEEN")
_MISSING = "-"


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
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(_table(rows), end="")
    return exit_codes.OK


def show(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        station = client.get_station(args.station_id)
    except RpcFailed as exc:
        if exc.code != grpc.StatusCode.NOT_FOUND:
            raise
        print(f"error: station {args.station_id} not found", file=sys.stderr)
        return exit_codes.FAILED
    if args.json:
        as_dict = json_format.MessageToDict(
            station, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
        print(json.dumps(as_dict, indent=2))
    else:
        print(_details(station), end="")
    return exit_codes.OK


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
                "ocpp_version": _OCPP_VERSIONS.get(seen.ocpp_version) if seen else None,
                # Unknown (None) only when the device-model service could not be asked.
                "connected": (seen.connected if seen else False) if projection is not None else None,
                "edge_node_id": (seen.edge_node_id or None) if seen and seen.connected else None,
                "last_seen_at": _time(seen.last_seen_at) if seen and seen.HasField("last_seen_at") else None,
            }
        )
    return rows


def _table(rows: Sequence[Row]) -> str:
    lines = [_LIST_COLUMNS]
    for row in rows:
        connected = row["connected"]
        lines.append(
            (
                str(row["station_id"]),
                _cell(row["security_profile"]),
                _cell(row["group"]),
                _cell(row["vendor"]),
                _cell(row["model"]),
                _cell(row["ocpp_version"]),
                _MISSING if connected is None else "yes" if connected else "no",
                _cell(row["edge_node_id"]),
                _cell(row["last_seen_at"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(_LIST_COLUMNS))]
    return "".join("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in lines)


def _details(station: device_model_pb2.Station) -> str:
    if station.connected:
        connected = f"yes, node {station.edge_node_id or _MISSING}, connection {station.connection_id or _MISSING}"
        if station.edge_address:
            connected += f" (edge gRPC {station.edge_address})"
    else:
        connected = "no"
    last_boot = _time(station.last_boot_at) if station.HasField("last_boot_at") else _MISSING
    if station.boot_reason:
        last_boot += f" ({station.boot_reason})"
    fields = [
        ("station", station.station_id),
        ("vendor", station.vendor),
        ("model", station.model),
        ("serial number", station.serial_number),
        ("firmware", station.firmware_version),
        ("OCPP", _OCPP_VERSIONS.get(station.ocpp_version, "")),
        ("connected", connected),
        ("last boot", last_boot),
        ("last seen", _time(station.last_seen_at) if station.HasField("last_seen_at") else ""),
    ]
    width = max(len(label) for label, _ in fields) + 1
    lines = [f"{label + ':':<{width}} {value or _MISSING}" for label, value in fields]
    lines.append("connectors:" if station.connectors else f"{'connectors:':<{width}} none")
    for c in station.connectors:
        status = c.status + (f" ({c.error_code})" if c.error_code and c.error_code != "NoError" else "")
        since = f", since {_time(c.updated_at)}" if c.HasField("updated_at") else ""
        lines.append(f"  evse {c.evse_id} connector {c.connector_id}: {status}{since}")
    return "".join(line + "\n" for line in lines)


def _cell(value: object) -> str:
    return _MISSING if value is None else str(value)


def _time(ts: timestamp_pb2.Timestamp) -> str:
    return ts.ToJsonString()
