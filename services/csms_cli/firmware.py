"""`csms firmware update|status|history|log|logs`: ask a station to install a firmware image or upload a log (the
firmware service hands it to device-model's commands, once per `--key`), and show its firmware (installed version,
current update and its statuses), every update, and its log requests. Output on stdout, errors on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from csms.firmware.v1 import firmware_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime

_UPDATE_COLUMNS = ("REQUESTED", "KEY", "LOCATION", "ANSWER", "STATUSES", "BOOTED")
_LOG_COLUMNS = ("REQUESTED", "KEY", "COMMAND", "LOCATION", "ANSWER", "STATUSES")


class BadTime(ValueError):
    pass


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--retries", type=int, help="how often the station tries again")
    parser.add_argument("--retry-interval", type=int, metavar="S", help="seconds between its tries")
    parser.add_argument("--queue-if-offline", action="store_true", help="send it once an offline station is back")
    parser.add_argument("--expires-in", type=float, metavar="S", help="seconds until a queued request expires")
    parser.add_argument("--key", default="", help="idempotency key: a repeat with the same key sends nothing again")
    parser.add_argument("--json", action="store_true", help="print JSON")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("firmware", help="firmware updates and log uploads of a station")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    update = actions.add_parser("update", help="ask a station to install a firmware image")
    update.add_argument("station_id", metavar="STATION")
    source = update.add_mutually_exclusive_group(required=True)
    source.add_argument("--location", help="URL the station downloads the image from")
    source.add_argument(
        "--image", metavar="IMAGE_ID", help="an uploaded image (csms artifacts upload): sent as its signed URL"
    )
    update.add_argument("--retrieve-at", metavar="TIME", help="when to download it (RFC 3339; default now)")
    update.add_argument("--install-at", metavar="TIME", help="when to install it (RFC 3339; 2.x, signed 1.6)")
    update.add_argument("--signing-certificate", type=Path, metavar="FILE", help="PEM certificate of the signer")
    update.add_argument("--signature", help="base64 signature of the image")
    update.add_argument(
        "--force",
        action="store_true",
        help="send an --image although it is for another vendor/model than the station's",
    )
    _common(update)
    update.set_defaults(handler=request_update, uses_client=True)
    status = actions.add_parser("status", help="installed version and the current update with its statuses")
    status.add_argument("station_id", metavar="STATION")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=show_status, uses_client=True)
    history = actions.add_parser("history", help="every update request of a station, newest first")
    history.add_argument("station_id", metavar="STATION")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.set_defaults(handler=show_history, uses_client=True)
    log = actions.add_parser("log", help="ask a station to upload a log (GetLog) or 1.6 diagnostics")
    log.add_argument("station_id", metavar="STATION")
    log.add_argument("--location", required=True, help="URL the station uploads the file to")
    log.add_argument("--type", choices=("diagnostics", "security"), default="diagnostics", dest="log_type")
    log.add_argument("--diagnostics", action="store_true", help="send 1.6 GetDiagnostics instead of GetLog")
    log.add_argument("--oldest", metavar="TIME", help="oldest entry wanted (RFC 3339)")
    log.add_argument("--latest", metavar="TIME", help="latest entry wanted (RFC 3339)")
    _common(log)
    log.set_defaults(handler=request_log, uses_client=True)
    logs = actions.add_parser("logs", help="a station's log upload requests with their statuses")
    logs.add_argument("station_id", metavar="STATION")
    logs.add_argument("--json", action="store_true", help="print JSON")
    logs.set_defaults(handler=show_logs, uses_client=True)


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_ocpp_datetime(value)
    except OcppCallError:
        raise BadTime(f"{name}: not an RFC 3339 time: {value!r}") from None


def _delivery(args: argparse.Namespace, request: Any) -> None:
    if args.expires_in is not None and not args.queue_if_offline:
        raise BadTime("--expires-in is only for --queue-if-offline")
    request.queue_if_offline = args.queue_if_offline
    if args.expires_in is not None:
        request.expires_at.CopyFrom(timestamp(datetime.now(UTC) + timedelta(seconds=args.expires_in)))
    if args.retries is not None:
        request.has_retries, request.retries = True, args.retries
    request.retry_interval_s = args.retry_interval or 0
    request.request_key = args.key


def _when(request: Any, name: str, value: datetime | None) -> None:
    if value is not None:
        getattr(request, name).CopyFrom(timestamp(value))


def request_update(args: argparse.Namespace, client: CsmsClient) -> int:
    request = firmware_pb2.RequestFirmwareUpdateRequest(
        station_id=args.station_id,
        location=args.location or "",
        image_id=args.image or "",
        force=args.force,
        signature=args.signature or "",
    )
    try:
        if args.signing_certificate is not None:
            request.signing_certificate = args.signing_certificate.read_text()
        _when(request, "retrieve_at", _time(args.retrieve_at, "--retrieve-at"))
        _when(request, "install_at", _time(args.install_at, "--install-at"))
        _delivery(args, request)
    except (BadTime, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    return _requested(args, client.request_firmware_update(request))


def request_log(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.diagnostics and args.log_type != "diagnostics":
        print("error: --diagnostics uploads diagnostics only: leave --type out", file=sys.stderr)
        return exit_codes.INVALID
    request = firmware_pb2.RequestLogUploadRequest(
        station_id=args.station_id,
        command="get-diagnostics" if args.diagnostics else "get-log",
        log_type=args.log_type,
        remote_location=args.location,
    )
    try:
        _when(request, "oldest", _time(args.oldest, "--oldest"))
        _when(request, "latest", _time(args.latest, "--latest"))
        _delivery(args, request)
    except BadTime as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    return _requested(args, client.request_log_upload(request))


def _requested(args: argparse.Namespace, made: firmware_pb2.FirmwareRequested) -> int:
    return render.output(
        args.json,
        _as_dict(made),
        lambda: render.details(
            [
                ("request", made.request_key),
                ("command", made.command),
                ("command id", made.command_id),
                ("image", made.image_id or None),
                ("request id", made.ocpp_request_id or None),
                ("queued if offline", "yes" if made.queued_if_offline else "no"),
            ]
        ),
    )


def show_status(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.station_firmware(args.station_id)
    current = found.current if found.HasField("current") else None

    def text() -> str:
        lines = render.details(
            [
                ("station", args.station_id),
                ("installed version", found.installed_version),
                ("current update", current.request.request_key if current else None),
                ("location", _location(current.request) if current else None),
                ("answer", _answer(current) if current else None),
                ("last status", current.last_status if current else None),
                ("booted version", current.booted_version if current else None),
                ("unmatched reports", len(found.unmatched) or None),
            ]
        )
        if current is not None and current.statuses:
            rows = [[render.time(s.recorded_at), s.status, s.action] for s in current.statuses]
            lines += "\n" + render.table(("AT", "STATUS", "ACTION"), rows)
        return lines

    return render.output(args.json, _as_dict(found), text)


def show_history(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.station_firmware(args.station_id)
    rows = [
        [
            render.time(u.requested_at),
            u.request.request_key,
            _location(u.request),
            _answer(u),
            " > ".join(s.status for s in u.statuses) or render.MISSING,
            u.booted_version or render.MISSING,
        ]
        for u in found.updates
    ]
    return render.output(args.json, [_as_dict(u) for u in found.updates], lambda: render.table(_UPDATE_COLUMNS, rows))


def show_logs(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.log_requests(args.station_id)
    rows = [
        [
            render.time(r.requested_at),
            r.request.request_key,
            r.request.command,
            _location(r.request),
            _answer(r),
            " > ".join(s.status for s in r.statuses) or render.MISSING,
        ]
        for r in found.requests
    ]
    return render.output(args.json, _as_dict(found), lambda: render.table(_LOG_COLUMNS, rows))


def _location(request: firmware_pb2.FirmwareRequested) -> str:
    params = json.loads(request.params_json or "{}")
    return str(params.get("location") or params.get("remote_location") or render.MISSING)


def _answer(entry: firmware_pb2.RequestHistory) -> str:
    if not entry.HasField("command_outcome"):
        return "pending"
    outcome = entry.command_outcome
    return f"{outcome.state.lower()} {outcome.result_json or outcome.failure}".strip()


def _as_dict(message: Any) -> dict[str, Any]:
    found: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return found
