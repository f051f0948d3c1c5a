"""The process's readiness and the gRPC health service that reports it (security review #16)."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from csms_kernel.infra.grpc_server import build_server
from csms_kernel.infra.health import Readiness
from csms_kernel.telemetry.metrics import COMPONENT_FAILING
from kit.waiting import eventually


def test_serving_until_a_component_fails_and_again_once_every_failing_one_works() -> None:
    readiness = Readiness()
    changes: list[bool] = []
    readiness.subscribe(changes.append)
    readiness.failing("a", "kafka down")
    readiness.failing("a", "kafka down")  # same reason: no new change
    readiness.failing("b", "cassandra down")
    assert not readiness.serving and readiness.failing_components == {"a": "kafka down", "b": "cassandra down"}
    assert COMPONENT_FAILING.labels("a")._value.get() == 1
    readiness.ok("a")
    assert not readiness.serving
    readiness.ok("b")
    readiness.ok("b")
    assert readiness.serving and changes == [False, True]
    assert COMPONENT_FAILING.labels("a")._value.get() == 0


async def test_grpc_health_answers_not_serving_while_a_component_fails() -> None:
    readiness = Readiness()
    server = build_server("127.0.0.1:0", [], readiness)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)

            async def status() -> int:
                response = await stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
                return int(response.status)

            assert await status() == health_pb2.HealthCheckResponse.SERVING
            readiness.failing("test.handlers", "3 attempts failed")
            await eventually(status, lambda s: s == health_pb2.HealthCheckResponse.NOT_SERVING, timeout_s=5)
            readiness.ok("test.handlers")
            await eventually(status, lambda s: s == health_pb2.HealthCheckResponse.SERVING, timeout_s=5)
    finally:
        await server.stop(0)
