"""The dependency checks behind /readyz (`DependencyCheck`, csms_api.ports): a service's `grpc.health.v1`
answer on the channel the API uses for it, and a Cassandra query. Side effects: network I/O.
"""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from csms_kernel.infra.cassandra import CassandraSession


class NotReady(Exception):
    """The dependency answered, but not as ready; the message says what it answered."""


class GrpcHealthCheck:
    """SERVING from the service's health service (any instance the channel picks)."""

    def __init__(self, name: str, channel: grpc.aio.Channel) -> None:
        self.name = name
        self._health = health_pb2_grpc.HealthStub(channel)

    async def check(self, timeout_s: float) -> None:
        response = await self._health.Check(health_pb2.HealthCheckRequest(), timeout=timeout_s)
        if response.status != health_pb2.HealthCheckResponse.SERVING:
            raise NotReady(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


class CassandraCheck:
    """Cassandra answers a read of the node's own row (not retried)."""

    name = "cassandra"

    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def check(self, timeout_s: float) -> None:
        async with asyncio.timeout(timeout_s):
            await self._session.execute("SELECT release_version FROM system.local")
