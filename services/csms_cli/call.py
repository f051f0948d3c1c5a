"""`csms call`: sends a CSMS-initiated CALL to a station and prints its answer (stdout; errors on stderr)."""

from __future__ import annotations

import argparse
import json
import sys

from csms_cli import exit_codes
from csms_cli.client import CsmsClient


def call(args: argparse.Namespace, client: CsmsClient) -> int:
    try:
        payload = json.loads(args.payload)
    except ValueError as exc:
        print(f"error: the payload is not valid JSON: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    if not isinstance(payload, dict):
        print(f"error: the payload must be a JSON object, got {type(payload).__name__}", file=sys.stderr)
        return exit_codes.INVALID
    if args.timeout <= 0:
        print("error: --timeout must be positive", file=sys.stderr)
        return exit_codes.INVALID
    response = client.send_call(args.station_id, args.action, args.payload, args.timeout)
    if response.HasField("error"):
        error = response.error
        print(f"CALLERROR {error.code}: {error.description}", file=sys.stderr)
        if error.details_json and json.loads(error.details_json):
            print(f"details: {error.details_json}", file=sys.stderr)
        return exit_codes.FAILED
    print(json.dumps(json.loads(response.result_json), indent=2))
    return exit_codes.OK
