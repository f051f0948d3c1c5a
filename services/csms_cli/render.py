"""How `csms` commands print: JSON or aligned tables and `label: value` details on stdout, errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

import grpc
from google.protobuf import timestamp_pb2

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2
from csms_cli import exit_codes
from csms_cli.client import RpcFailed

MISSING = "-"
OCPP_VERSIONS = {
    envelope_pb2.OCPP_VERSION_16: "1.6",
    envelope_pb2.OCPP_VERSION_201: "2.0.1",
    envelope_pb2.OCPP_VERSION_21: "2.1",
}

T = TypeVar("T")
StationAnswer = (
    device_model_pb2.SendCallResponse
    | transactions_pb2.StartSessionResponse
    | transactions_pb2.StopSessionResponse
    | transactions_pb2.GetTransactionStatusResponse
)


class NotFound(Exception):
    """The service has no such record; the command reports it and exits 1."""


def cell(value: object) -> str:
    return MISSING if value is None else str(value)


def time(ts: timestamp_pb2.Timestamp) -> str:
    return ts.ToJsonString()


def table(columns: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart, a header line first."""
    everything = [columns, *lines]
    widths = [max(len(line[i]) for line in everything) for i in range(len(columns))]
    return "".join(
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in everything
    )


def details(fields: Sequence[tuple[str, object]]) -> str:
    """One `label: value` line per field, values aligned; empty values print as `-`."""
    width = max(len(label) for label, _ in fields) + 1
    return "".join(f"{label + ':':<{width}} {value or MISSING}\n" for label, value in fields)


def output(as_json: bool, value: object, text: Callable[[], str]) -> int:
    """Prints `value` as JSON, or the text; exit code OK."""
    if as_json:
        print(json.dumps(value, indent=2))
    else:
        print(text(), end="")
    return exit_codes.OK


def station_answer(response: StationAnswer) -> int:
    """Prints the station's CALLRESULT payload (exit 0), or its CALLERROR on stderr (exit 1)."""
    if response.HasField("error"):
        error = response.error
        print(f"CALLERROR {error.code}: {error.description}", file=sys.stderr)
        if error.details_json and json.loads(error.details_json):
            print(f"details: {error.details_json}", file=sys.stderr)
        return exit_codes.FAILED
    print(json.dumps(json.loads(response.result_json), indent=2))
    return exit_codes.OK


def found(what: str, fetch: Callable[[], T]) -> T:
    """`fetch()`'s result; a NOT_FOUND answer becomes `NotFound(what)`."""
    try:
        return fetch()
    except RpcFailed as exc:
        if exc.code != grpc.StatusCode.NOT_FOUND:
            raise
        raise NotFound(what) from exc


def not_found(exc: NotFound) -> int:
    print(f"error: {exc} not found", file=sys.stderr)
    return exit_codes.FAILED
