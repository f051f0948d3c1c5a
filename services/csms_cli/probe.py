"""`csms-probe`: the Kubernetes probe of a process's gRPC health service (`grpc.health.v1`), over the internal
mutual TLS when the process has it (kubelet's own gRPC probes cannot present a client certificate).

Exit 0 when the health service answers SERVING (readiness), or answers at all with `--live` (liveness: a process
whose Kafka is down is NOT_SERVING but must not be restarted for it); 1 otherwise, with the reason on stderr.
Run every few seconds in every pod, so it imports only grpc and reads the `CSMS_GRPC_TLS_*` variables itself
(the settings classes cost ~0.7 s of CPU to import; tests/unit/cli/test_probe.py keeps the names in step with
csms_kernel.infra.settings). Side effects: reads the TLS files, one gRPC call.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

TLS_VARIABLES = ("CSMS_GRPC_TLS_CA_FILE", "CSMS_GRPC_TLS_CERT_FILE", "CSMS_GRPC_TLS_KEY_FILE")
SERVER_NAME_VARIABLE = "CSMS_GRPC_TLS_SERVER_NAME"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csms-probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("address", help="host:port of the process's gRPC server, e.g. 127.0.0.1:50051")
    parser.add_argument("--service", default="", help="health of this service name (default: the whole server)")
    parser.add_argument("--live", action="store_true", help="succeed on any answer (liveness), not only SERVING")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for the answer (default 3)")
    return parser


def open_channel(address: str, environ: Mapping[str, str]) -> grpc.Channel:
    """A channel with the process's own certificate when `CSMS_GRPC_TLS_*` are set, else plaintext."""
    paths = [environ.get(name, "") for name in TLS_VARIABLES]
    if not all(paths):
        return grpc.insecure_channel(address)
    ca, certificate, key = (Path(path).read_bytes() for path in paths)
    credentials = grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=certificate)
    server_name = environ.get(SERVER_NAME_VARIABLE, "")
    options = [("grpc.ssl_target_name_override", server_name)] if server_name else []
    return grpc.secure_channel(address, credentials, options=options)


def probe(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[bool, str]:
    """(healthy, what was seen)."""
    try:
        channel = open_channel(args.address, environ)
    except OSError as exc:
        return False, f"cannot read the TLS files: {exc}"
    with channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=args.service), timeout=args.timeout
            )
        except grpc.RpcError as exc:
            return False, f"no answer from {args.address}: {exc.code().name} {exc.details() or ''}".rstrip()
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    return args.live or response.status == health_pb2.HealthCheckResponse.SERVING, status


def run(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    args = parser().parse_args(argv)
    healthy, seen = probe(args, environ)
    print(seen, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def main() -> None:
    sys.exit(run())
