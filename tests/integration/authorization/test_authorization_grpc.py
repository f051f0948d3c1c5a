"""The authorization service as deployed: bootstrap wiring, real Cassandra, calls over a gRPC channel."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from pydantic import SecretStr

from authorization import bootstrap
from authorization.settings import AuthorizationSettings
from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms.cassandra import CassandraSession
from infra_fixtures import Infra

pytestmark = pytest.mark.integration

PASSWORD = "integration-secret-1"


def settings_for(infra: Infra) -> AuthorizationSettings:
    return AuthorizationSettings(
        kafka_bootstrap=infra.kafka_bootstrap,
        authorization_instance_id=f"it-authorization-{uuid.uuid4().hex[:8]}",
        cassandra_contact_points=infra.cassandra_contact_points,
        cassandra_port=infra.cassandra_port,
        cassandra_local_dc=infra.local_dc,
        authorization_grpc_listen="127.0.0.1:0",
        authorization_password_pepper=SecretStr("integration-pepper"),
    )


@pytest.fixture
async def channel(infra: Infra, empty_stations: CassandraSession) -> AsyncIterator[grpc.aio.Channel]:
    async with bootstrap.serving(settings_for(infra)) as running:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.server.port}") as channel:
            yield channel


async def test_register_verify_and_list(channel: grpc.aio.Channel) -> None:
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    created = await stub.RegisterStation(
        pb.RegisterStationRequest(station_id="CP-1", password=PASSWORD, security_profile=2)
    )
    again = await stub.RegisterStation(
        pb.RegisterStationRequest(station_id="CP-1", password=PASSWORD, security_profile=2)
    )
    await stub.RegisterStation(pb.RegisterStationRequest(station_id="CP-2", password=PASSWORD, security_profile=1))
    assert (created.created, again.created) == (True, False)

    accepted = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id="CP-1", password=PASSWORD)
    )
    wrong = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id="CP-1", password="x" * 16)
    )
    unknown = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id="CP-9", password=PASSWORD)
    )
    assert accepted == pb.VerifyStationCredentialsResponse(verdict=pb.VERDICT_ACCEPTED, security_profile=2)
    assert wrong.verdict == pb.VERDICT_WRONG_PASSWORD
    assert unknown.verdict == pb.VERDICT_UNKNOWN_STATION

    first = await stub.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_size=1))
    assert len(first.stations) == 1 and first.next_page_token
    rest = await stub.ListRegisteredStations(
        pb.ListRegisteredStationsRequest(page_size=5, page_token=first.next_page_token)
    )
    assert rest.next_page_token == ""
    assert sorted((s.station_id, s.security_profile) for s in [*first.stations, *rest.stations]) == [
        ("CP-1", 2),
        ("CP-2", 1),
    ]


async def test_invalid_input_is_an_invalid_argument(channel: grpc.aio.Channel) -> None:
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RegisterStation(pb.RegisterStationRequest(station_id="CP-1", password="short", security_profile=1))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == "password must be 16..40 characters (OCPP BasicAuthPassword), got 5"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_token="/w=="))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_health_and_reflection_are_served(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    status = await health.Check(health_pb2.HealthCheckRequest(service=bootstrap.SERVICE_NAME))
    assert status.status == health_pb2.HealthCheckResponse.SERVING
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = [s.name async for r in responses for s in r.list_services_response.service]
    assert "csms.authorization.v1.AuthorizationService" in names


async def test_run_signals_ready_and_stops_when_cancelled(infra: Infra) -> None:
    ready = asyncio.Event()
    task = asyncio.create_task(bootstrap.run(settings_for(infra), ready=ready))
    await asyncio.wait_for(ready.wait(), timeout=60)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()
