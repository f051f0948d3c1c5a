"""The station registry client over a real in-process gRPC server: the pending password / profile and their
cancellation as UpdateStation fields, the registered profile from GetRegisteredStation, and the registry's
refusals mapped to the statuses a command reports (unknown station NOT_FOUND, a rule INVALID_ARGUMENT, an outage
UNAVAILABLE)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_device_model.adapters.station_credentials import GrpcStationCredentials
from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.ports import CredentialsRefused, CredentialsUnavailable


class Registry(authorization_pb2_grpc.AuthorizationServiceServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.updates: list[authorization_pb2.UpdateStationRequest] = []
        self.refuse: tuple[grpc.StatusCode, str] | None = None

    async def GetRegisteredStation(
        self, request: authorization_pb2.GetRegisteredStationRequest, context: grpc.aio.ServicerContext
    ) -> authorization_pb2.GetRegisteredStationResponse:
        if self.refuse:
            await context.abort(*self.refuse)
        station = authorization_pb2.RegisteredStation(station_id=request.station_id, security_profile=2)
        return authorization_pb2.GetRegisteredStationResponse(station=station)

    async def UpdateStation(
        self, request: authorization_pb2.UpdateStationRequest, context: grpc.aio.ServicerContext
    ) -> authorization_pb2.UpdateStationResponse:
        if self.refuse:
            await context.abort(*self.refuse)
        self.updates.append(request)
        return authorization_pb2.UpdateStationResponse()


@pytest.fixture
async def served() -> AsyncIterator[tuple[Registry, GrpcStationCredentials]]:
    registry = Registry()
    server = grpc.aio.server()
    authorization_pb2_grpc.add_AuthorizationServiceServicer_to_server(registry, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    client = GrpcStationCredentials(f"127.0.0.1:{port}", 5.0)
    try:
        yield registry, client
    finally:
        await client.close()
        await server.stop(None)


async def test_pending_values_and_their_cancellation_are_update_station_fields(
    served: tuple[Registry, GrpcStationCredentials],
) -> None:
    registry, client = served
    assert await client.registered_profile("CS-1") == 2
    await client.set_pending("CS-1", CredentialChange(password="new-password-0123"))
    await client.cancel_pending("CS-1", CredentialChange(password="new-password-0123"))
    await client.set_pending("CS-1", CredentialChange(security_profile=3))
    await client.cancel_pending("CS-1", CredentialChange(security_profile=3))

    def fields(update: authorization_pb2.UpdateStationRequest) -> tuple[object, ...]:
        """Each field the update sets (None: not set)."""
        names = ("pending_password", "pending_security_profile", "password", "security_profile")
        return (update.station_id, *(getattr(update, n) if update.HasField(n) else None for n in names))

    assert [fields(update) for update in registry.updates] == [
        ("CS-1", "new-password-0123", None, None, None),
        ("CS-1", "", None, None, None),
        ("CS-1", None, 3, None, None),
        ("CS-1", None, 0, None, None),
    ]


@pytest.mark.parametrize(
    ("code", "error", "status", "message"),
    [
        (grpc.StatusCode.NOT_FOUND, CredentialsRefused, grpc.StatusCode.NOT_FOUND, "station CS-1 is not registered"),
        (grpc.StatusCode.INVALID_ARGUMENT, CredentialsRefused, grpc.StatusCode.INVALID_ARGUMENT, "registry refused"),
        (grpc.StatusCode.FAILED_PRECONDITION, CredentialsRefused, grpc.StatusCode.INVALID_ARGUMENT, "registry refused"),
        (grpc.StatusCode.UNAVAILABLE, CredentialsUnavailable, grpc.StatusCode.UNAVAILABLE, "is unavailable: UNAVAIL"),
    ],
)
async def test_refusals_and_outages_keep_their_meaning(
    served: tuple[Registry, GrpcStationCredentials],
    code: grpc.StatusCode,
    error: type[Exception],
    status: grpc.StatusCode,
    message: str,
) -> None:
    registry, client = served
    registry.refuse = (code, "because")
    with pytest.raises(error, match=message) as raised:
        await client.set_pending("CS-1", CredentialChange(password="new-password-0123"))
    assert getattr(raised.value, "status") == status  # noqa: B009
    assert "because" in str(raised.value)
