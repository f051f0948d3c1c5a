"""`csms sites list|show|put|delete|limit|allocation`: load-management sites through the smart-charging service
(docs/adr/0042): define or replace a site from a JSON or TOML file (README "Sites"), change its limit (a limit
below the EVSEs' minimums is accepted and the EVSEs it would pause are listed), show what each EVSE is allowed
now. Output on stdout, errors on stderr; reads the definition file it is given."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from csms.smart_charging.v1 import smart_charging_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("sites", help="load-management sites (a grid connection's limit and its EVSEs)")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    list_ = actions.add_parser("list", help="every site with its limit")
    list_.add_argument("--json", action="store_true", help="print JSON")
    list_.set_defaults(handler=list_sites, uses_client=True)
    show = actions.add_parser("show", help="a site's definition")
    show.add_argument("site_id", metavar="SITE")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_site, uses_client=True)
    put = actions.add_parser("put", help="define or replace a site from a JSON or TOML file")
    put.add_argument("site_id", metavar="SITE")
    put.add_argument(
        "file", type=Path, metavar="FILE", help="the definition (.toml: TOML, otherwise JSON; -: JSON on stdin)"
    )
    put.add_argument("--json", action="store_true", help="print JSON")
    put.set_defaults(handler=put_site, uses_client=True)
    delete = actions.add_parser("delete", help="delete a site (its EVSEs are free again)")
    delete.add_argument("site_id", metavar="SITE")
    delete.set_defaults(handler=delete_site, uses_client=True)
    limit = actions.add_parser("limit", help="change a site's limit (e.g. a grid operator's signal)")
    limit.add_argument("site_id", metavar="SITE")
    limit.add_argument("limit", type=float, help="the new limit, in the site's unit")
    limit.add_argument("--unit", choices=("A", "W"), default="", help="the site's unit (checked)")
    limit.add_argument("--json", action="store_true", help="print JSON")
    limit.set_defaults(handler=set_limit, uses_client=True)
    allocation = actions.add_parser("allocation", help="what each EVSE of a site is allowed now")
    allocation.add_argument("site_id", metavar="SITE")
    allocation.add_argument("--json", action="store_true", help="print JSON")
    allocation.set_defaults(handler=show_allocation, uses_client=True)


def _definition(file: Path) -> Any:
    if str(file) == "-":
        return json.loads(sys.stdin.read())
    if file.suffix == ".toml":
        return tomllib.loads(file.read_text())
    return json.loads(file.read_text())


def _number(value: float) -> str:
    return f"{value:g}"


def _site_text(site: smart_charging_pb2.Site) -> str:
    lines = render.details(
        [
            ("site", site.site_id),
            ("name", site.name),
            ("limit", f"{_number(site.limit)} {site.unit}"),
            ("voltage", f"{_number(site.voltage_v)} V"),
            ("idle limit", f"{_number(site.idle_limit_a)} A"),
            ("groups", ", ".join(f"{g}: {_number(v)} {site.unit}" for g, v in sorted(site.groups.items()))),
        ]
    )
    evses = [
        [
            f"{e.station_id}/{e.evse_id}",
            str(e.phases),
            _number(e.min_a),
            _number(e.max_a),
            str(e.priority),
            e.group_id or render.MISSING,
        ]
        for e in site.evses
    ]
    return lines + "\n" + render.table(("EVSE", "PHASES", "MIN A", "MAX A", "PRIORITY", "GROUP"), evses) + "\n"


def _answer_text(answer: smart_charging_pb2.SiteResponse) -> str:
    text = _site_text(answer.site)
    found = answer.shortfall
    if found.below_minimums:
        paused = ", ".join(f"{r.station_id}/{r.evse_id}" for r in found.would_pause) or "none charging now"
        text += (
            f"\nwarning: the limit is below the EVSEs' minimums ({_number(found.minimum_sum)} {answer.site.unit}):"
            f" not all can charge at once; would pause: {paused}\n"
        )
    return text


def list_sites(args: argparse.Namespace, client: CsmsClient) -> int:
    sites = client.list_sites()
    rows = [[s.site_id, s.name or render.MISSING, f"{_number(s.limit)} {s.unit}", str(len(s.evses))] for s in sites]
    return render.output(
        args.json,
        [_as_dict(site) for site in sites],
        lambda: render.table(("SITE", "NAME", "LIMIT", "EVSES"), rows) + "\n",
    )


def show_site(args: argparse.Namespace, client: CsmsClient) -> int:
    answer = client.get_site(args.site_id)
    return render.output(args.json, _as_dict(answer), lambda: _answer_text(answer))


def put_site(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        definition = _definition(args.file)
    except (OSError, ValueError) as exc:
        print(f"error: the site definition {args.file}: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    answer = client.put_site(args.site_id, json.dumps(definition))
    return render.output(args.json, _as_dict(answer), lambda: _answer_text(answer))


def delete_site(args: argparse.Namespace, client: CsmsClient) -> int:
    client.delete_site(args.site_id)
    print(f"site {args.site_id} deleted")
    return exit_codes.OK


def set_limit(args: argparse.Namespace, client: CsmsClient) -> int:
    request = smart_charging_pb2.SetSiteLimitRequest(site_id=args.site_id, limit=args.limit, unit=args.unit)
    answer = client.set_site_limit(request)
    return render.output(args.json, _as_dict(answer), lambda: _answer_text(answer))


def show_allocation(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.site_allocation(args.site_id)

    def text() -> str:
        header = render.details(
            [
                ("site", found.site_id),
                ("limit", f"{_number(found.limit)} {found.unit}"),
                ("allocated", f"{_number(found.allocated)} {found.unit}"),
                ("recompute", str(found.sequence)),
            ]
        )
        rows = [
            [
                f"{e.station_id}/{e.evse_id}",
                ("paused" if e.paused else _number(e.limit_a)) if e.enforced else render.MISSING,
                str(e.phases),
                e.group_id or render.MISSING,
            ]
            for e in found.evses
        ]
        return header + "\n" + render.table(("EVSE", "LIMIT A", "PHASES", "GROUP"), rows) + "\n"

    return render.output(args.json, _as_dict(found), text)


def _as_dict(message: Any) -> dict[str, Any]:
    found: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return found
