"""`csms security-events` and `csms certificates list|issue`: the security event log, the certificates the
station CA issued to a station, and issuing a station certificate offline (onboarding a security profile 3
station). `issue` reads the station CA files and writes the new key (owner-only) and certificate chain; it
prints the paths, never the key. Output on stdout, errors on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from google.protobuf import json_format
from pydantic import SecretStr

from csms.security.v1 import security_pb2
from csms_cli import exit_codes, render
from csms_cli.client import CsmsClient
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id

_SOURCES = {security_pb2.SECURITY_EVENT_SOURCE_STATION: "station", security_pb2.SECURITY_EVENT_SOURCE_CSMS: "csms"}
_EVENT_COLUMNS = ("RECORDED", "STATION", "SOURCE", "TYPE", "CRITICAL", "INFO")
_CERTIFICATE_COLUMNS = ("ISSUED", "SERIAL", "TYPE", "NOT AFTER", "SHA-256")
DEV_STATION_CA = Path(".infra") / "pki" / "station-ca"
KEY_KINDS = ("ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    events_parser = commands.add_parser("security-events", help="the security event log, newest first")
    events_parser.add_argument("--station", default="", help="of this station")
    events_parser.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    events_parser.add_argument("--json", action="store_true", help="print JSON")
    events_parser.set_defaults(handler=list_events, uses_client=True)
    parser = commands.add_parser("certificates", help="station certificates of the station CA")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    list_parser = actions.add_parser("list", help="certificates issued to a station, newest first")
    list_parser.add_argument("station_id", metavar="STATION")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_certificates, uses_client=True)
    issue_parser = actions.add_parser(
        "issue",
        help="create a key and a certificate (CN = STATION) signed by the station CA, for a security profile 3 "
        "station; prints the paths of the files written",
    )
    issue_parser.add_argument("station_id", metavar="STATION")
    issue_parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write the files")
    issue_parser.add_argument("--days", type=float, default=365.0, help="validity in days (default 365)")
    issue_parser.add_argument("--key-type", choices=KEY_KINDS, default="ec-p256", help="(default ec-p256)")
    issue_parser.add_argument(
        "--ca-cert",
        metavar="FILE",
        help="station CA certificate (default: $CSMS_SECURITY_STATION_CA_CERT_FILE, else .infra/pki/station-ca.pem)",
    )
    issue_parser.add_argument(
        "--ca-key",
        metavar="FILE",
        help="station CA key (default: $CSMS_SECURITY_STATION_CA_KEY_FILE or _KEY_PEM, else .infra/pki/station-ca.key)",
    )
    issue_parser.set_defaults(handler=issue, uses_client=False)


def list_events(args: argparse.Namespace, client: CsmsClient) -> int:
    if args.limit < 1:
        print("error: --limit must be positive", file=sys.stderr)
        return exit_codes.INVALID
    events, more = client.list_security_events(args.station, args.limit)
    render.output(args.json, [_as_dict(e) for e in events], lambda: _events_table(events))
    if more:
        print(f"(more than {args.limit}; raise --limit or give --station)", file=sys.stderr)
    return exit_codes.OK


def list_certificates(args: argparse.Namespace, client: CsmsClient) -> int:
    certificates = client.list_issued_certificates(args.station_id)
    return render.output(args.json, [_as_dict(c) for c in certificates], lambda: _certificates_table(certificates))


def issue(args: argparse.Namespace) -> int:
    """Signs a new key's certificate with the station CA (the same loading as the security service's)."""
    from csms_kernel.pki import certificates as pki
    from csms_security.adapters.station_ca import CaConfigurationError, load_authorities
    from csms_security.domain.csr import CHARGING_STATION
    from csms_security.settings import SecuritySettings

    try:
        check_station_id(args.station_id)
    except InvalidStationId as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    if args.days <= 0:
        print("error: --days must be positive", file=sys.stderr)
        return exit_codes.INVALID
    settings = SecuritySettings()
    overrides: dict[str, object] = {}
    if args.ca_cert or not settings.station_ca_cert_file:
        overrides["station_ca_cert_file"] = args.ca_cert or str(DEV_STATION_CA.with_suffix(".pem"))
    if args.ca_key or not (settings.station_ca_key_file or settings.station_ca_key_pem.get_secret_value()):
        overrides["station_ca_key_file"] = args.ca_key or str(DEV_STATION_CA.with_suffix(".key"))
        overrides["station_ca_key_pem"] = SecretStr("")
    try:
        authority = load_authorities(settings.model_copy(update=overrides))[CHARGING_STATION]
    except CaConfigurationError as exc:
        print(f"error: station CA: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    key = pki.new_key(args.key_type)
    certificate = pki.issue(
        authority.certificate,
        authority.key,
        pki.name(args.station_id),
        key.public_key(),
        days=args.days,
        client=True,
    )
    key_path = args.out / f"{args.station_id}.key"
    chain_path = args.out / f"{args.station_id}.pem"
    pki.write_key(key_path, key)
    pki.write_certificate(chain_path, certificate, authority.certificate, *authority.chain)
    print(f"key (owner-only): {key_path}")
    print(f"certificate chain: {chain_path}")
    print(f"serial {certificate.serial_number:x}, valid until {certificate.not_valid_after_utc.isoformat()}")
    return exit_codes.OK


def _as_dict(message: security_pb2.SecurityEvent | security_pb2.IssuedCertificate) -> dict[str, object]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _events_table(events: list[security_pb2.SecurityEvent]) -> str:
    return render.table(
        _EVENT_COLUMNS,
        [
            (
                render.time(e.recorded_at),
                e.station_id,
                _SOURCES.get(e.source, render.MISSING),
                e.type,
                "yes" if e.critical else "no",
                _one_line(e.tech_info) or render.MISSING,
            )
            for e in events
        ],
    )


def _certificates_table(certificates: list[security_pb2.IssuedCertificate]) -> str:
    return render.table(
        _CERTIFICATE_COLUMNS,
        [
            (
                render.time(c.issued_at),
                c.serial_number,
                c.certificate_type,
                render.time(c.not_after),
                c.fingerprint_sha256[:16] + "...",
            )
            for c in certificates
        ],
    )


def _one_line(text: str, width: int = 60) -> str:
    """Station-chosen text on one line (control characters escaped), clipped."""
    escaped = text.encode("unicode_escape").decode("ascii")
    return escaped if len(escaped) <= width else escaped[: width - 3] + "..."
