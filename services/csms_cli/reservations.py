"""`csms reservations create|list|show|cancel`: reservations through the authorization service (docs/adr/0043),
which gives each the station's next free id, refuses an EVSE already reserved and sends ReserveNow /
CancelReservation through device-model, waiting for the station; argument handling and output (stdout; errors on
stderr). A reservation is named `STATION:ID` (e.g. `CS-1:3`); statuses are as of now.

Exit codes: 0 done; 1 the station refused (its status on stderr) or no such reservation; 2 no answer in time;
3 the station is offline, or the EVSE is already reserved; 4 invalid input (the message says which field).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta

from csms.authorization.v1 import authorization_pb2 as pb
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

STATUSES = ("Pending", "Accepted", "Refused", "Used", "Cancelled", "Expired", "Removed")
_COLUMNS = ("ID", "EVSE", "ID TOKEN", "GROUP", "EXPIRES", "STATUS")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("reservations", help="reserve EVSEs (or stations) for a token")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = actions.add_parser(
        "create",
        help="reserve an EVSE (or the whole station) for a token until a time",
        description="Send ReserveNow and print the reservation once the station accepted it (exit 0); exit 1 with "
        "the station's status when it refused (Occupied, Faulted, Unavailable, Rejected).",
    )
    create.add_argument("station_id", metavar="STATION")
    create.add_argument("--evse", type=int, default=0, metavar="N", help="the EVSE (1.6: connector); 0: the station")
    create.add_argument("--connector-type", metavar="TYPE", help="2.x only: a connector type, e.g. cType2")
    create.add_argument("--id-token", required=True, metavar="TOKEN")
    create.add_argument("--token-type", default="", metavar="TYPE", help="2.x IdToken type (default Central)")
    create.add_argument("--group", default="", metavar="GROUP", help="any token of this group may use it")
    until = create.add_mutually_exclusive_group(required=True)
    until.add_argument("--expires-in", type=float, metavar="SECONDS", help="from now")
    until.add_argument("--expires-at", metavar="ISO8601", help="e.g. 2026-12-06T18:00:00Z")
    create.add_argument("--request-key", default="", metavar="KEY", help="a repeat with this key sends nothing more")
    create.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="for the station (default 30)")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(handler=create_reservation, uses_client=True)

    listing = actions.add_parser("list", help="reservations of a station, or of every station")
    listing.add_argument("--station", default="", metavar="STATION")
    listing.add_argument("--status", choices=STATUSES, help="only this status (as of now)")
    listing.add_argument("--active", action="store_true", help="only those that hold now")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_reservations, uses_client=True)

    show = actions.add_parser("show", help="one reservation")
    show.add_argument("reservation", metavar="STATION:ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_reservation, uses_client=True)

    cancel = actions.add_parser("cancel", help="send CancelReservation and end it")
    cancel.add_argument("reservation", metavar="STATION:ID")
    cancel.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="for the station (default 30)")
    cancel.set_defaults(handler=cancel_reservation, uses_client=True)


def create_reservation(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.expires_at is not None:
        try:
            expires_at = datetime.fromisoformat(args.expires_at)
        except ValueError:
            return _invalid(f"--expires-at: not an ISO 8601 time: {args.expires_at}")
        if expires_at.tzinfo is None:
            return _invalid("--expires-at: give a time zone, e.g. 2026-12-06T18:00:00Z")
    else:
        expires_at = datetime.now(UTC) + timedelta(seconds=args.expires_in)
    request = pb.ReserveNowRequest(
        station_id=args.station_id,
        evse_id=args.evse,
        connector_type=args.connector_type or "",
        id_token=args.id_token,
        token_type=args.token_type,
        group_id_token=args.group,
        request_key=args.request_key,
        timeout_ms=round(args.timeout * 1000),
    )
    request.expires_at.FromDatetime(expires_at)
    answer = client.reserve_now(request)
    made = answer.reservation
    if made.status == "Refused":
        if not answer.station_status:
            print(f"error: {_name(made)}: the station did not answer in time (Refused)", file=sys.stderr)
            return exit_codes.TIMEOUT
        print(f"error: {_name(made)}: the station refused: {answer.station_status.capitalize()}", file=sys.stderr)
        return exit_codes.FAILED
    return render.output(args.json, _json(made), lambda: render.details(_fields(made)))


def list_reservations(args: argparse.Namespace, client: CsmsClient) -> int:
    request = pb.ListReservationsRequest(station_id=args.station, status=args.status or "", active=args.active)
    found = client.list_reservations(request)
    return render.output(args.json, [_json(r) for r in found], lambda: _table(found))


def show_reservation(args: argparse.Namespace, client: CsmsClient) -> int:
    named = _parse(args.reservation)
    if named is None:
        return _invalid(f"expected STATION:ID, e.g. CS-1:3, not {args.reservation}")
    found = render.found(f"reservation {args.reservation}", lambda: client.get_reservation(*named))
    return render.output(args.json, _json(found), lambda: render.details(_fields(found)))


def cancel_reservation(args: argparse.Namespace, client: CsmsClient) -> int:
    named = _parse(args.reservation)
    if named is None:
        return _invalid(f"expected STATION:ID, e.g. CS-1:3, not {args.reservation}")
    request = pb.CancelReservationRequest(
        station_id=named[0], reservation_id=named[1], timeout_ms=round(args.timeout * 1000)
    )
    answer = render.found(f"reservation {args.reservation}", lambda: client.cancel_reservation(request))
    ended = answer.reservation
    if ended.status == "Accepted":
        if not answer.station_status:
            print(f"error: {args.reservation}: the station did not answer in time", file=sys.stderr)
            return exit_codes.TIMEOUT
        print(f"error: {args.reservation}: the station refused: {answer.station_status.capitalize()}", file=sys.stderr)
        return exit_codes.FAILED
    print(f"{args.reservation} {ended.status}")
    return exit_codes.OK


def _parse(named: str) -> tuple[str, int] | None:
    station_id, _, number = named.rpartition(":")
    return (station_id, int(number)) if station_id and number.isdigit() else None


def _invalid(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return exit_codes.INVALID


def _name(reservation: pb.Reservation) -> str:
    return f"{reservation.station_id}:{reservation.reservation_id}"


def _evse(reservation: pb.Reservation) -> str:
    where = str(reservation.evse_id) if reservation.evse_id else "station"
    return f"{where} ({reservation.connector_type})" if reservation.connector_type else where


def _fields(reservation: pb.Reservation) -> list[tuple[str, object]]:
    return [
        ("id", _name(reservation)),
        ("evse", _evse(reservation)),
        ("id token", reservation.id_token),
        ("group", reservation.group_id_token),
        ("expires at", render.time(reservation.expires_at)),
        ("status", reservation.status),
    ]


def _json(reservation: pb.Reservation) -> dict[str, object]:
    return {
        "id": _name(reservation),
        "station_id": reservation.station_id,
        "reservation_id": reservation.reservation_id,
        "evse_id": reservation.evse_id,
        "connector_type": reservation.connector_type or None,
        "id_token": reservation.id_token,
        "token_type": reservation.token_type or None,
        "group_id_token": reservation.group_id_token or None,
        "expires_at": render.time(reservation.expires_at),
        "status": reservation.status,
    }


def _table(found: list[pb.Reservation]) -> str:
    lines = [
        (
            _name(r),
            _evse(r),
            r.id_token,
            render.cell(r.group_id_token or None),
            render.time(r.expires_at),
            r.status,
        )
        for r in found
    ]
    return render.table(_COLUMNS, lines)
