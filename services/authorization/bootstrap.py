"""All wiring of the authorization service: Cassandra session, registry, hasher, clock and gRPC server.

`serving()` connects and starts serving; `run()` serves until cancelled; `main()` is the process entry
(`csms serve authorization`): reads settings from the environment, configures logging, stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from authorization.credentials import PasswordHasher
from authorization.grpc_api import AuthorizationServicer
from authorization.registry import KEYSPACE, CassandraStationRegistry
from authorization.settings import AuthorizationSettings
from csms import cassandra
from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.grpc_server import GrpcServer, build_server
from csms.lifecycle import configure_logging, run_until_signalled
from csms.telemetry import installed

log = logging.getLogger(__name__)

SERVICE_NAME = authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"].full_name


def _now() -> datetime:
    return datetime.now(UTC)


@contextlib.asynccontextmanager
async def serving(settings: AuthorizationSettings) -> AsyncIterator[GrpcServer]:
    """Connects to Cassandra, serves AuthorizationService (plus health and reflection) and stops on exit."""
    pepper = settings.authorization_password_pepper.get_secret_value().encode("utf-8")
    if not pepper:
        log.warning("CSMS_AUTHORIZATION_PASSWORD_PEPPER is empty: password hashes are salted but not peppered")
    session = await cassandra.connect(
        settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, KEYSPACE
    )
    try:
        servicer = AuthorizationServicer(CassandraStationRegistry(session), PasswordHasher(pepper), _now)
        server = build_server(
            settings.authorization_grpc_listen,
            [(lambda s: authorization_pb2_grpc.add_AuthorizationServiceServicer_to_server(servicer, s), SERVICE_NAME)],
        )
        await server.start()
        try:
            yield server
        finally:
            await server.stop()
    finally:
        await session.close()


async def run(settings: AuthorizationSettings, *, ready: asyncio.Event | None = None) -> None:
    """Serves until cancelled."""
    async with serving(settings) as server:
        log.info("authorization ready: gRPC on %s (port %d)", settings.authorization_grpc_listen, server.port)
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()


def main() -> None:
    settings = AuthorizationSettings()
    configure_logging(settings.log_level)
    with installed("authorization", settings.metrics_port):
        run_until_signalled(lambda: run(settings))
    log.info("authorization stopped")
