"""The gRPC adapter of the `StationCredentials` port: pending passwords and security profiles in the station
registry (`AuthorizationService.GetRegisteredStation` / `UpdateStation`, pending_password and
pending_security_profile). Side effects: gRPC calls; the password travels only in the request."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import grpc

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.ports import CredentialsRefused, CredentialsUnavailable
from csms_kernel.clients.channels import insecure_channel

Response = TypeVar("Response")

_REFUSED = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)


class GrpcStationCredentials:
    def __init__(self, address: str, timeout_s: float) -> None:
        self._channel = insecure_channel(address)
        self._stub = authorization_pb2_grpc.AuthorizationServiceStub(self._channel)
        self._timeout_s = timeout_s

    async def registered_profile(self, station_id: str) -> int:
        request = authorization_pb2.GetRegisteredStationRequest(station_id=station_id)
        response = await self._call(station_id, self._stub.GetRegisteredStation(request, timeout=self._timeout_s))
        return response.station.security_profile

    async def set_pending(self, station_id: str, change: CredentialChange) -> None:
        request = authorization_pb2.UpdateStationRequest(station_id=station_id)
        if change.password is not None:
            request.pending_password = change.password
        if change.security_profile is not None:
            request.pending_security_profile = change.security_profile
        await self._call(station_id, self._stub.UpdateStation(request, timeout=self._timeout_s))

    async def cancel_pending(self, station_id: str, change: CredentialChange) -> None:
        request = authorization_pb2.UpdateStationRequest(station_id=station_id)
        if change.password is not None:
            request.pending_password = ""
        if change.security_profile is not None:
            request.pending_security_profile = 0
        await self._call(station_id, self._stub.UpdateStation(request, timeout=self._timeout_s))

    async def close(self) -> None:
        await self._channel.close(None)

    @staticmethod
    async def _call(station_id: str, call: Awaitable[Response]) -> Response:
        try:
            return await call
        except grpc.aio.AioRpcError as exc:
            raise _error(station_id, exc) from exc


def _error(station_id: str, exc: grpc.aio.AioRpcError) -> Exception:
    code, details = exc.code(), exc.details() or ""
    if code == grpc.StatusCode.NOT_FOUND:
        return CredentialsRefused(f"station {station_id} is not registered: {details}", grpc.StatusCode.NOT_FOUND)
    if code in _REFUSED:
        return CredentialsRefused(f"the station registry refused the change: {details}")
    return CredentialsUnavailable(f"the station registry (authorization service) is unavailable: {code.name} {details}")
