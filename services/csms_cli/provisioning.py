"""`csms provisioning show|set|accept|boots` (docs/adr/0031): a station's boot policy (how its BootNotification is
answered: Accepted, Pending or Rejected) and its last boot answer, setting it (accept: Accepted, and a connected
Pending station asked to boot again now), and its boot history. Output on stdout, errors on stderr."""

from __future__ import annotations

import argparse
import sys

from google.protobuf import json_format
from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient

POLICIES = ("Accepted", "Pending", "Rejected")
_BOOT_COLUMNS = ("BOOTED", "OCPP", "REASON", "FIRMWARE", "VENDOR", "MODEL", "ANSWER")
_VERSIONS = {1: "1.6", 2: "2.0.1", 3: "2.1"}


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("provisioning", help="stations' boot policies (Accepted/Pending/Rejected), boots")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    show_parser = actions.add_parser("show", help="a station's boot policy and its last boot answer")
    show_parser.add_argument("station_id", metavar="ID")
    show_parser.add_argument("--json", action="store_true", help="print JSON")
    show_parser.set_defaults(handler=show, uses_client=True)
    set_parser = actions.add_parser("set", help="how the station's BootNotifications are answered from now on")
    set_parser.add_argument("station_id", metavar="ID")
    set_parser.add_argument("policy", type=str.capitalize, choices=POLICIES, metavar="{accepted,pending,rejected}")
    _trigger_argument(set_parser)
    set_parser.set_defaults(handler=set_, uses_client=True)
    accept_parser = actions.add_parser(
        "accept", help="accept a station (policy Accepted; a connected Pending one boots again now)"
    )
    accept_parser.add_argument("station_id", metavar="ID")
    _trigger_argument(accept_parser)
    accept_parser.set_defaults(handler=accept, uses_client=True, policy="Accepted")
    boots_parser = actions.add_parser("boots", help="a station's boots, newest first: reason, firmware, answer")
    boots_parser.add_argument("station_id", metavar="ID")
    boots_parser.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    boots_parser.add_argument("--json", action="store_true", help="print JSON")
    boots_parser.set_defaults(handler=boots, uses_client=True)


def _trigger_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-trigger",
        dest="trigger_boot",
        action="store_false",
        help="do not ask a connected station whose last boot got another answer to boot again now "
        "(TriggerMessage BootNotification)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def show(args: argparse.Namespace, client: CsmsClient) -> int:
    found = client.get_station_provisioning(args.station_id)
    return render.output(args.json, _as_dict(found), lambda: _details(found))


def set_(args: argparse.Namespace, client: CsmsClient) -> int:
    request = device_model_pb2.SetStationProvisioningRequest(
        station_id=args.station_id, boot_policy=args.policy, trigger_boot=args.trigger_boot
    )
    changed = client.set_station_provisioning(request)
    trigger = changed.trigger_command.command_id if changed.HasField("trigger_command") else ""

    def text() -> str:
        sent = f"boot triggered: command {trigger}\n" if trigger else ""
        return _details(changed.provisioning) + sent

    return render.output(args.json, _as_dict(changed), text)


accept = set_


def boots(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.limit < 1:
        print("error: --limit must be positive", file=sys.stderr)
        return exit_codes.INVALID
    found, more = client.list_station_boots(args.station_id, args.limit)
    render.output(args.json, [_as_dict(boot) for boot in found], lambda: _boots_table(found))
    if more:
        print(f"(more than {args.limit}; raise --limit)", file=sys.stderr)
    return exit_codes.OK


def _as_dict(message: Message) -> dict[str, object]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _details(found: device_model_pb2.StationProvisioning) -> str:
    policy = found.boot_policy + ("" if found.explicit else " (default for new stations)")
    return render.details(
        [
            ("station", found.station_id),
            ("boot policy", policy),
            ("set at", render.time(found.updated_at) if found.HasField("updated_at") else ""),
            ("last boot answer", found.registration_status),
            ("last boot at", render.time(found.booted_at) if found.HasField("booted_at") else ""),
        ]
    )


def _boots_table(found: list[device_model_pb2.StationBoot]) -> str:
    return render.table(
        _BOOT_COLUMNS,
        [
            (
                render.time(boot.booted_at),
                _VERSIONS.get(boot.ocpp_version, render.MISSING),
                boot.reason or render.MISSING,
                boot.firmware_version or render.MISSING,
                boot.vendor or render.MISSING,
                boot.model or render.MISSING,
                boot.registration_status,
            )
            for boot in found
        ],
    )
