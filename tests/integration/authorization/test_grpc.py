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

from csms.authorization.v1 import authorization_pb2 as pb
from csms.authorization.v1 import authorization_pb2_grpc
from csms.envelope.v1 import envelope_pb2
from csms_authorization import bootstrap
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.infra import lifecycle, topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_consumer
from infra_fixtures import Infra
from kit.waiting import eventually

pytestmark = pytest.mark.integration

PASSWORD = "integration-secret-1"


def settings_for(infra: Infra) -> AuthorizationSettings:
    return AuthorizationSettings(
        kafka_bootstrap=infra.kafka_bootstrap,
        instance_id=f"it-authorization-{uuid.uuid4().hex[:8]}",
        cassandra_contact_points=infra.cassandra_contact_points,
        cassandra_port=infra.cassandra_port,
        cassandra_local_dc=infra.local_dc,
        grpc_listen="127.0.0.1:0",
        password_pepper=SecretStr("integration-pepper"),
    )


@pytest.fixture
async def channel(infra: Infra, session: CassandraSession) -> AsyncIterator[grpc.aio.Channel]:
    async with lifecycle.running(bootstrap.build(settings_for(infra))) as running:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.grpc_port}") as channel:
            yield channel


async def test_register_verify_and_list(channel: grpc.aio.Channel) -> None:
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    run = uuid.uuid4().hex[:6]
    one, two, nine = f"CP-1-{run}", f"CP-2-{run}", f"CP-9-{run}"
    created = await stub.RegisterStation(
        pb.RegisterStationRequest(station_id=one, password=PASSWORD, security_profile=2)
    )
    again = await stub.RegisterStation(pb.RegisterStationRequest(station_id=one, password=PASSWORD, security_profile=2))
    await stub.RegisterStation(
        pb.RegisterStationRequest(station_id=two, password=PASSWORD, security_profile=1, group=f"site-{run}")
    )
    assert (created.created, again.created) == (True, False)

    accepted = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id=one, password=PASSWORD, presented_profile=2)
    )
    too_low = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id=one, password=PASSWORD, presented_profile=1)
    )
    wrong = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id=one, password="x" * 16, presented_profile=2)
    )
    unknown = await stub.VerifyStationCredentials(
        pb.VerifyStationCredentialsRequest(station_id=nine, password=PASSWORD)
    )
    assert accepted == pb.VerifyStationCredentialsResponse(verdict=pb.VERDICT_ACCEPTED, security_profile=2)
    assert too_low == pb.VerifyStationCredentialsResponse(verdict=pb.VERDICT_PROFILE_TOO_LOW)
    assert wrong.verdict == pb.VERDICT_WRONG_PASSWORD
    assert unknown.verdict == pb.VERDICT_UNKNOWN_STATION

    listed: list[pb.RegisteredStation] = []
    token = ""
    while True:  # the registry is shared with other tests: page through all of it, look at ours
        page = await stub.ListRegisteredStations(pb.ListRegisteredStationsRequest(page_size=50, page_token=token))
        assert len(page.stations) <= 50
        listed += [s for s in page.stations if s.station_id.endswith(run)]
        token = page.next_page_token
        if not token:
            break
    assert [
        (s.station_id, s.security_profile, s.group, s.enabled) for s in sorted(listed, key=lambda s: s.station_id)
    ] == [
        (one, 2, "", True),
        (two, 1, f"site-{run}", True),
    ]
    in_group = await stub.ListRegisteredStations(pb.ListRegisteredStationsRequest(group=f"site-{run}"))
    assert [s.station_id for s in in_group.stations] == [two]


async def test_a_station_lifecycle_is_stored_and_published(channel: grpc.aio.Channel, infra: Infra) -> None:
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    station_id = f"CP-life-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(infra.kafka_bootstrap, None, "it-station-credentials", topics.STATION_CREDENTIALS)
    await consumer.start()
    try:
        await stub.RegisterStation(
            pb.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1)
        )
        disabled = await stub.UpdateStation(pb.UpdateStationRequest(station_id=station_id, enabled=False))
        assert not disabled.station.enabled
        assert disabled.station.updated_at.ToDatetime() > disabled.station.created_at.ToDatetime()
        refused = await stub.VerifyStationCredentials(
            pb.VerifyStationCredentialsRequest(station_id=station_id, password=PASSWORD)
        )
        assert refused.verdict == pb.VERDICT_DISABLED
        await stub.UpdateStation(
            pb.UpdateStationRequest(station_id=station_id, enabled=True, password="integration-secret-2")
        )
        shown = await stub.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id=station_id))
        assert shown.station.enabled and shown.station.security_profile == 1
        assert (await stub.DeleteStation(pb.DeleteStationRequest(station_id=station_id))).deleted
        with pytest.raises(grpc.aio.AioRpcError) as gone:
            await stub.GetRegisteredStation(pb.GetRegisteredStationRequest(station_id=station_id))
        assert gone.value.code() == grpc.StatusCode.NOT_FOUND

        events: list[pb.StationCredentialsChanged] = []

        async def ours() -> list[pb.StationCredentialsChanged]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if record.key == station_id.encode():
                        events.append(pb.StationCredentialsChanged.FromString(record.value or b""))
            return events

        await eventually(ours, lambda found: len(found) >= 4, what="the station's four events")
        assert [list(e.changes) for e in events] == [
            [pb.STATION_CHANGE_REGISTERED],
            [pb.STATION_CHANGE_DISABLED],
            [pb.STATION_CHANGE_ENABLED, pb.STATION_CHANGE_PASSWORD_CHANGED],
            [pb.STATION_CHANGE_DELETED],
        ]
        assert all(e.station_id == station_id for e in events)
    finally:
        await consumer.stop()


async def test_token_changes_are_published_and_decided(channel: grpc.aio.Channel, infra: Infra) -> None:
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    id_token = f"it-{uuid.uuid4().hex[:10]}"
    key = id_token.upper()
    consumer = make_consumer(infra.kafka_bootstrap, None, "it-authorization-events", topics.AUTHORIZATION_EVENTS)
    await consumer.start()
    try:
        upserted = await stub.UpsertIdToken(
            pb.UpsertIdTokenRequest(id_token=id_token, type=pb.ID_TOKEN_TYPE_EMAID, group_id_token="FLEET-1")
        )
        blocked = await stub.BlockIdToken(pb.BlockIdTokenRequest(id_token=key))
        deleted = await stub.DeleteIdToken(pb.DeleteIdTokenRequest(id_token=id_token))
        assert (upserted.created, deleted.deleted) == (True, True)

        events: list[pb.AuthorizationEvent] = []

        async def ours() -> list[pb.AuthorizationEvent]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if record.key == key.encode():
                        events.append(pb.AuthorizationEvent.FromString(record.value or b""))
            return events

        await eventually(ours, lambda found: len(found) >= 3, what="the token's three events")
        assert [e.WhichOneof("event") for e in events] == ["id_token_added", "id_token_blocked", "id_token_deleted"]
        assert events[0].id_token_added.token == upserted.token
        assert events[1].id_token_blocked.token == blocked.token
        assert events[2].id_token_deleted == pb.IdTokenDeleted(id_token=id_token)
    finally:
        await consumer.stop()

    await stub.UpsertIdToken(pb.UpsertIdTokenRequest(id_token=id_token, type=pb.ID_TOKEN_TYPE_EMAID))
    decision = await stub.AuthorizeIdToken(
        pb.AuthorizeIdTokenRequest(
            station_id="CS-1",
            id_token=key,
            token_type=pb.ID_TOKEN_TYPE_EMAID,
            ocpp_version=envelope_pb2.OCPP_VERSION_201,
        )
    )
    assert decision == pb.AuthorizeIdTokenResponse(
        status=pb.AUTHORIZATION_STATUS_ACCEPTED, token_type=pb.ID_TOKEN_TYPE_EMAID
    )
    await stub.DeleteIdToken(pb.DeleteIdTokenRequest(id_token=id_token))


async def test_invalid_input_is_an_invalid_argument(channel: grpc.aio.Channel) -> None:
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RegisterStation(pb.RegisterStationRequest(station_id="CP-1", password="short", security_profile=1))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == "password must be 16..64 characters (OCPP BasicAuthPassword), got 5"
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


async def test_serve_signals_ready_and_stops_when_cancelled(infra: Infra) -> None:
    ready = asyncio.Event()
    task = asyncio.create_task(lifecycle.serve(bootstrap.build(settings_for(infra)), ready))
    await asyncio.wait_for(ready.wait(), timeout=60)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()
