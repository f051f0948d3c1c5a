"""api wiring: `build()` is the one place that builds the key store, the service clients, the live events
stream, the readiness checks, the FastAPI app and its HTTP server.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` connects the Cassandra session (API
keys, readiness), serves HTTP (uvicorn) and starts the live events' shared Kafka tail (`/api/v1/events`,
docs/adr/0022) until SIGTERM, when it ends the event streams, stops accepting and lets requests finish. The
service keeps no state of its own beyond a 2-second key cache, so any number of instances can run.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from csms_api.adapters.checks import CassandraCheck, GrpcHealthCheck
from csms_api.adapters.http_server import HttpServer
from csms_api.adapters.key_store import KEYSPACE, CassandraApiKeyStore
from csms_api.adapters.peers import (
    GrpcAuthorization,
    GrpcDeviceModel,
    GrpcFirmware,
    GrpcSecurity,
    GrpcSmartCharging,
    GrpcTransactions,
)
from csms_api.api.app import ApiPart, create_app
from csms_api.api.artifacts import artifacts_part
from csms_api.api.context import ApiContext
from csms_api.api.events import events_part
from csms_api.app.keys import ApiKeys
from csms_api.app.readiness import Readiness
from csms_api.app.stations import StationDirectory
from csms_api.domain.cursors import Cursors
from csms_api.live.filters import registry_group_of
from csms_api.live.stream import kafka_live_events
from csms_api.ports import (
    ApiKeyStore,
    AuthorizationPeer,
    DependencyCheck,
    DeviceModelPeer,
    FirmwarePeer,
    SecurityPeer,
    SmartChargingPeer,
    TransactionsPeer,
)
from csms_api.settings import ApiSettings
from csms_firmware.artifacts.bootstrap import build_artifacts
from csms_firmware.artifacts.settings import ArtifactSettings
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.lifecycle import Closing, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.infra.production import DevelopmentSecrets

log = logging.getLogger(__name__)

NAME = "api"


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: ApiSettings,
    *,
    session: CassandraSession | None = None,
    keys: ApiKeyStore | None = None,
    authorization: AuthorizationPeer | None = None,
    device_model: DeviceModelPeer | None = None,
    transactions: TransactionsPeer | None = None,
    security: SecurityPeer | None = None,
    firmware: FirmwarePeer | None = None,
    smart_charging: SmartChargingPeer | None = None,
    checks: Sequence[DependencyCheck] | None = None,
    parts: Sequence[ApiPart] | None = None,
    clock: Callable[[], datetime] = utc_now,
    artifact_settings: ArtifactSettings | None = None,
) -> Service:
    """The api service, wired; each keyword replaces a port (tests pass fakes); `parts` adds routers with their
    own resources and loops (default: the live events over Kafka, and the firmware artifacts over the store and
    the `CSMS_FIRMWARE_*` settings, `artifact_settings`). A `session` passed in stays the caller's to
    connect and close. Readiness asks the services' health over the channels built here (pass `checks` with
    fakes)."""
    resources: list[Resource] = []
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points,
            settings.cassandra_port,
            settings.cassandra_local_dc,
            KEYSPACE,
            security=settings.cassandra_security,
        )
        resources.append(session)
    health: list[DependencyCheck] = [CassandraCheck(session)]
    if authorization is None:
        authorization = grpc_authorization = GrpcAuthorization(
            settings.authorization_address, settings.rpc_timeout_s, settings.grpc_tls
        )
        health.append(GrpcHealthCheck(grpc_authorization.service, grpc_authorization.channel))
        resources.append(Closing(grpc_authorization.close))
    if device_model is None:
        device_model = grpc_device_model = GrpcDeviceModel(
            settings.device_model_address, settings.rpc_timeout_s, settings.grpc_tls
        )
        health.append(GrpcHealthCheck(grpc_device_model.service, grpc_device_model.channel))
        resources.append(Closing(grpc_device_model.close))
    if transactions is None:
        transactions = grpc_transactions = GrpcTransactions(
            settings.transactions_address, settings.rpc_timeout_s, settings.grpc_tls
        )
        health.append(GrpcHealthCheck(grpc_transactions.service, grpc_transactions.channel))
        resources.append(Closing(grpc_transactions.close))
    if security is None:
        security = grpc_security = GrpcSecurity(settings.security_address, settings.rpc_timeout_s, settings.grpc_tls)
        health.append(GrpcHealthCheck(grpc_security.service, grpc_security.channel))
        resources.append(Closing(grpc_security.close))
    if firmware is None:
        firmware = grpc_firmware = GrpcFirmware(settings.firmware_address, settings.rpc_timeout_s, settings.grpc_tls)
        health.append(GrpcHealthCheck(grpc_firmware.service, grpc_firmware.channel))
        resources.append(Closing(grpc_firmware.close))
    if smart_charging is None:
        smart_charging = grpc_smart_charging = GrpcSmartCharging(
            settings.smart_charging_address, settings.rpc_timeout_s, settings.grpc_tls
        )
        health.append(GrpcHealthCheck(grpc_smart_charging.service, grpc_smart_charging.channel))
        resources.append(Closing(grpc_smart_charging.close))
    if parts is None:
        live = kafka_live_events(
            settings.events,
            settings.kafka_bootstrap,
            settings.kafka_security,
            registry_group_of(authorization),
            settings.instance_id,
        )
        health.append(live)
        artifacts = build_artifacts(artifact_settings or ArtifactSettings(), session, serve_http=False, clock=clock)
        parts = [events_part(live), artifacts_part(artifacts.artifacts, artifacts.resources)]
    secret = settings.cursor_secret.get_secret_value().encode("utf-8")
    if not secret:
        log.info("CSMS_API_CURSOR_SECRET is empty: list cursors are checksummed, not sealed")
    context = ApiContext(
        keys=ApiKeys(keys or CassandraApiKeyStore(session), clock, cache_s=settings.key_cache_s),
        cursors=Cursors(secret),
        authorization=authorization,
        device_model=device_model,
        transactions=transactions,
        security=security,
        firmware=firmware,
        smart_charging=smart_charging,
        stations=StationDirectory(authorization, device_model),
        readiness=Readiness(health if checks is None else checks, settings.readiness_timeout_s),
        clock=clock,
    )
    server = HttpServer(
        create_app(context, parts),
        settings.host,
        settings.port,
        grace_s=settings.shutdown_grace_s,
        access_log=settings.access_log,
    )
    return Service(
        name=NAME,
        instance=settings.instance_id,
        # The parts start after the server and stop before it: open event streams end first.
        resources=[*resources, server, *(r for part in parts for r in part.resources)],
        loops=[server.run, *(loop for part in parts for loop in part.loops)],
    )


def main() -> None:
    """The process entry (`python -m csms_api`, `csms serve api`)."""
    settings = ApiSettings()
    artifact_settings = ArtifactSettings()
    if settings.environment == "production" and artifact_settings.development_secrets():
        raise DevelopmentSecrets(artifact_settings.development_secrets())
    serve_process(
        NAME,
        settings,
        functools.partial(build, artifact_settings=artifact_settings),
        instance_id=settings.instance_id,
    )
