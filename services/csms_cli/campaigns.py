"""`csms campaigns create|list|show|watch|pause|resume|abort|set`: staged fleet firmware campaigns through the
firmware service (docs/adr/0040) — start one over a station list and/or vendor, model and current version; list
them; show one with its stations; watch it with a live progress line (per-state counts, rate, ETA) until it
completes, halts or is aborted; pause, resume, abort; change its settings (e.g. a higher failure threshold
before resuming a halted campaign). Output on stdout, errors on stderr."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format

from csms.firmware.v1 import firmware_pb2 as fw
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

_STATES = ("waiting", "pending", "updating", "offline", "succeeded", "failed")
_SETTLED = ("succeeded", "failed")
_OVER = ("completed", "aborted", "halted")
_BAR = 30


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--canary", type=int, dest="canary_size", help="stations in the canary wave (create: 1)")
    parser.add_argument("--wave-size", type=int, help="stations per later wave (create: 10)")
    parser.add_argument(
        "--wave-interval", type=int, dest="wave_interval_s", metavar="S", help="seconds between waves (create: 0)"
    )
    parser.add_argument("--concurrency", type=int, help="most stations updating at once (create: 10)")
    parser.add_argument("--window", metavar="HH:MM-HH:MM", help="daily UTC maintenance window")
    parser.add_argument(
        "--deadline", type=int, dest="station_deadline_s", metavar="S", help="per-station deadline (create: 1800)"
    )
    parser.add_argument("--max-retries", type=int, help="further attempts of a failed station (create: 1)")
    parser.add_argument(
        "--threshold", type=float, dest="failure_threshold", help="halt above this failed share of a wave (create: 0.1)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("campaigns", help="staged fleet firmware campaigns")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = actions.add_parser("create", help="start a campaign")
    create.add_argument("--station", action="append", default=[], dest="stations", help="a station (repeatable)")
    create.add_argument("--vendor", default="", help="and every known station of this vendor")
    create.add_argument("--model", default="", help="... of this model")
    create.add_argument("--current-version", default="", help="... running this firmware version")
    create.add_argument("--location", default="", help="URL stations download the image from")
    create.add_argument("--image", default="", dest="image_id", help="an uploaded image id (instead of --location)")
    create.add_argument("--version", default="", help="the version a successful station boots with")
    create.add_argument(
        "--force", action="store_true", help="send the --image to every target whatever its vendor/model"
    )
    create.add_argument("--name", default="")
    create.add_argument("--id", default="", dest="campaign_id", help="your campaign id (a repeat returns it)")
    _settings_arguments(create)
    create.set_defaults(handler=create_campaign, uses_client=True)
    listed = actions.add_parser("list", help="every campaign with its progress")
    listed.add_argument("--json", action="store_true", help="print JSON")
    listed.set_defaults(handler=list_campaigns, uses_client=True)
    show = actions.add_parser("show", help="a campaign and its stations")
    show.add_argument("campaign_id", metavar="CAMPAIGN")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument("--page-size", type=int, default=0, help="stations per page (default 1000, at most 5000)")
    show.add_argument("--page-token", default="", help="the next page (printed after a page that is not the last)")
    show.set_defaults(handler=show_campaign, uses_client=True)
    watch = actions.add_parser("watch", help="live progress until the campaign completes, halts or is aborted")
    watch.add_argument("campaign_id", metavar="CAMPAIGN")
    watch.add_argument("--interval", type=float, default=2.0, metavar="S", help="seconds between updates")
    watch.set_defaults(handler=watch_campaign, uses_client=True)
    for action in ("pause", "resume", "abort"):
        control = actions.add_parser(action, help=f"{action} a campaign")
        control.add_argument("campaign_id", metavar="CAMPAIGN")
        control.add_argument("--json", action="store_true", help="print JSON")
        control.set_defaults(handler=control_campaign, uses_client=True, action=action)
    change = actions.add_parser("set", help="change a campaign's settings (the others keep their values)")
    change.add_argument("campaign_id", metavar="CAMPAIGN")
    _settings_arguments(change)
    change.set_defaults(handler=set_settings, uses_client=True)


class BadArgument(ValueError):
    pass


def _apply_settings(args: argparse.Namespace, settings: fw.CampaignSettings) -> None:
    for name in (
        "canary_size",
        "wave_size",
        "wave_interval_s",
        "concurrency",
        "station_deadline_s",
        "max_retries",
        "failure_threshold",
    ):
        value = getattr(args, name)
        if value is not None:
            if value < 0:
                raise BadArgument(f"--{name.replace('_', '-')} must not be negative")
            setattr(settings, name, value)
    if args.window:
        start, dash, end = args.window.partition("-")
        if not dash:
            raise BadArgument(f"--window must be HH:MM-HH:MM, got {args.window!r}")
        settings.window.CopyFrom(fw.CampaignWindow(start=start, end=end))


def _default_settings() -> fw.CampaignSettings:
    """The campaign defaults (the API's): a setting left out is its default, never zero (a zero failure threshold
    halted a campaign at its first failure, and zero retries retried nothing, found by a new-user trial)."""
    from csms_firmware.campaigns.domain.campaign import Settings
    from csms_firmware.campaigns.domain.messages import settings_message

    return settings_message(Settings())


def create_campaign(args: argparse.Namespace, client: CsmsClient) -> int:
    request = fw.CreateCampaignRequest(
        campaign_id=args.campaign_id,
        name=args.name,
        stations=args.stations,
        vendor=args.vendor,
        model=args.model,
        current_version=args.current_version,
        target=fw.CampaignTarget(
            version=args.version, image_id=args.image_id, location=args.location, force=args.force
        ),
        settings=_default_settings(),
    )
    try:
        _apply_settings(args, request.settings)
    except BadArgument as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    return _shown(args, client.create_campaign(request))


def set_settings(args: argparse.Namespace, client: CsmsClient) -> int:
    settings = fw.CampaignSettings()
    settings.CopyFrom(client.get_campaign(args.campaign_id).settings)
    try:
        _apply_settings(args, settings)
    except BadArgument as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    request = fw.ControlCampaignRequest(campaign_id=args.campaign_id, action="settings", settings=settings)
    return _shown(args, client.control_campaign(request))


def control_campaign(args: argparse.Namespace, client: CsmsClient) -> int:
    request = fw.ControlCampaignRequest(campaign_id=args.campaign_id, action=args.action)
    return _shown(args, client.control_campaign(request))


def list_campaigns(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.list_campaigns()
    rows = [[c.campaign_id, c.name or render.MISSING, c.status, _counts(c), str(c.waves)] for c in found]
    return render.output(
        args.json,
        [_as_dict(c) for c in found],
        lambda: render.table(("CAMPAIGN", "NAME", "STATUS", "STATIONS", "WAVES"), rows),
    )


def show_campaign(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.get_campaign(args.campaign_id, args.page_size, args.page_token)

    def text() -> str:
        rows = [
            [s.station_id, s.state, str(s.attempts), str(s.wave) if s.wave >= 0 else render.MISSING, s.reason or ""]
            for s in found.stations
        ]
        more = f"\nmore: --page-token {found.next_page_token}\n" if found.next_page_token else ""
        return _summary(found) + render.table(("STATION", "STATE", "ATTEMPTS", "WAVE", "REASON"), rows) + more

    return render.output(args.json, _as_dict(found), text)


@dataclass
class Progress:
    """The rate and ETA of stations settling, measured from the first look."""

    started: float
    settled_at_start: int

    def line(self, view: fw.CampaignView, now: float) -> str:
        total = sum(view.counts.values()) or 1
        settled = sum(view.counts.get(state, 0) for state in _SETTLED)
        filled = _BAR * settled // total
        elapsed = max(now - self.started, 1e-9)
        rate = (settled - self.settled_at_start) / elapsed
        eta = f"{(total - settled) / rate:.0f}s" if rate > 0 and settled < total else "-"
        counts = " ".join(f"{state} {view.counts.get(state, 0)}" for state in _STATES)
        return (
            f"[{'#' * filled}{'.' * (_BAR - filled)}] {100 * settled // total:3d}% {view.status:<9} {counts} "
            f"| {rate * 60:.1f}/min ETA {eta}"
        )


def watch_campaign(
    args: argparse.Namespace,
    client: CsmsClient,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    view = client.get_campaign(args.campaign_id, _COUNTS_ONLY)
    progress = Progress(clock(), sum(view.counts.get(state, 0) for state in _SETTLED))
    end = "\n" if not sys.stdout.isatty() else "\r"
    while True:
        print(progress.line(view, clock()), end=end, flush=True)
        if view.status in _OVER:
            if end == "\r":
                print()
            print(f"campaign {view.campaign_id} {view.status}")
            return exit_codes.OK if view.status == "completed" else exit_codes.FAILED
        sleep(args.interval)
        view = client.get_campaign(args.campaign_id, _COUNTS_ONLY)


_COUNTS_ONLY = 1
"""`watch` reads the counts; one station per page is the least GetCampaign sends."""


def _counts(view: fw.CampaignView) -> str:
    return " ".join(f"{state}={view.counts[state]}" for state in _STATES if view.counts.get(state))


def _summary(view: fw.CampaignView) -> str:
    settings = view.settings
    window = f"{settings.window.start}-{settings.window.end}" if settings.HasField("window") else None
    return render.details(
        [
            ("campaign", view.campaign_id),
            ("name", view.name),
            ("status", view.status),
            ("target", view.target.location or view.target.image_id),
            ("version", view.target.version),
            ("stations", _counts(view)),
            ("waves", view.waves),
            ("halted at wave", view.halted_wave if view.halted_wave >= 0 else None),
            (
                "settings",
                f"canary {settings.canary_size}, waves of {settings.wave_size} every {settings.wave_interval_s}s, "
                f"{settings.concurrency} at once, deadline {settings.station_deadline_s}s, "
                f"{settings.max_retries} retries, halt above {settings.failure_threshold:.0%}",
            ),
            ("window (UTC)", window),
        ]
    )


def _shown(args: argparse.Namespace, view: fw.CampaignView) -> int:
    return render.output(args.json, _as_dict(view), lambda: _summary(view))


def _as_dict(view: fw.CampaignView) -> dict[str, Any]:
    return json_format.MessageToDict(view, preserving_proto_field_name=True)
