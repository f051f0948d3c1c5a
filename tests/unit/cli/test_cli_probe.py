"""`csms-probe`: readiness is SERVING, liveness any answer, a silent process fails; against a real in-process gRPC
health server on loopback (no TLS: the TLS channel is the kernel's, tested with the services)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from csms_cli import probe


@pytest.fixture
def health_server() -> Iterator[tuple[str, health.HealthServicer]]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}", servicer
    server.stop(None)


def test_serving_is_ready_and_alive(
    health_server: tuple[str, health.HealthServicer], capsys: pytest.CaptureFixture[str]
) -> None:
    address, servicer = health_server
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert probe.run([address], environ={}) == 0
    assert probe.run(["--live", address], environ={}) == 0
    assert capsys.readouterr().out == "SERVING\nSERVING\n"


def test_not_serving_is_alive_but_not_ready(
    health_server: tuple[str, health.HealthServicer], capsys: pytest.CaptureFixture[str]
) -> None:
    address, servicer = health_server
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    assert probe.run([address], environ={}) == 1
    assert capsys.readouterr().err == "NOT_SERVING\n"
    assert probe.run(["--live", address], environ={}) == 0


def test_no_answer_fails_both(capsys: pytest.CaptureFixture[str]) -> None:
    assert probe.run(["--live", "--timeout", "0.5", "127.0.0.1:1"], environ={}) == 1
    assert capsys.readouterr().err.startswith("no answer from 127.0.0.1:1: UNAVAILABLE")


def test_missing_tls_files_fail_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    environ = dict.fromkeys(probe.TLS_VARIABLES, "/nonexistent/file.pem")
    assert probe.run(["127.0.0.1:1"], environ=environ) == 1
    assert capsys.readouterr().err.startswith("cannot read the TLS files:")
