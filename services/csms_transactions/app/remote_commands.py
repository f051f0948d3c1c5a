"""Remote start/stop and transaction status on every OCPP version, through device-model's `SendCall`.

1.6 RemoteStartTransaction / RemoteStopTransaction; 2.x RequestStartTransaction (with a fresh remoteStartId) /
RequestStopTransaction and GetTransactionStatus. The station's version comes from device-model; device-model
validates the payload against it and relays the CALL to the edge node that holds the station; the station's
real CALLRESULT or CALLERROR comes back. Side effects: gRPC calls to device-model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.edge.v1 import edge_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Token

# The 2.x IdTokenType of a remote start when the caller gives none: a token the CSMS itself vouches for.
DEFAULT_REMOTE_TOKEN_TYPE = "Central"


class CommandError(Exception):
    """The command cannot be sent or was not answered; `code` is the gRPC status to report."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StationAnswer:
    message_id: str
    # Exactly one of them: the CALLRESULT payload, or the CALLERROR.
    result: dict[str, Any] | None
    error: edge_pb2.CallError | None

    @property
    def status(self) -> str:
        return str(self.result.get("status", "")) if self.result else ""


class StationCalls(Protocol):
    async def version_of(self, station_id: str) -> OcppVersion:
        """Raises CommandError NOT_FOUND for a station that never connected."""

    async def send_call(
        self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float
    ) -> device_model_pb2.SendCallResponse:
        """Raises CommandError with device-model's status (offline, timeout, invalid payload, ...)."""


class RemoteSessions:
    def __init__(self, calls: StationCalls, remote_start_ids: Callable[[], int], default_timeout_s: float) -> None:
        self._calls = calls
        self._remote_start_ids = remote_start_ids
        self._default_timeout_s = default_timeout_s

    async def start(
        self, station_id: str, token: Token, evse_id: int | None, timeout_s: float
    ) -> tuple[StationAnswer, int | None]:
        """The station's answer and the 2.x remoteStartId sent (None for 1.6)."""
        if not token.id_token:
            raise CommandError(grpc.StatusCode.INVALID_ARGUMENT, "an id token is required")
        version = await self._calls.version_of(station_id)
        if version is OcppVersion.V16:
            payload: dict[str, Any] = {"idTag": token.id_token}
            if evse_id is not None:
                payload["connectorId"] = evse_id
            return await self._send(station_id, "RemoteStartTransaction", payload, timeout_s), None
        remote_start_id = self._remote_start_ids()
        payload = {
            "idToken": {"idToken": token.id_token, "type": token.type or DEFAULT_REMOTE_TOKEN_TYPE},
            "remoteStartId": remote_start_id,
        }
        if evse_id is not None:
            payload["evseId"] = evse_id
        return await self._send(station_id, "RequestStartTransaction", payload, timeout_s), remote_start_id

    async def stop(self, station_id: str, transaction_id: str, timeout_s: float) -> StationAnswer:
        version = await self._calls.version_of(station_id)
        if version is OcppVersion.V16:
            if not transaction_id.isdecimal():
                raise CommandError(grpc.StatusCode.INVALID_ARGUMENT, "a 1.6 transaction id is an integer")
            return await self._send(
                station_id, "RemoteStopTransaction", {"transactionId": int(transaction_id)}, timeout_s
            )
        return await self._send(station_id, "RequestStopTransaction", {"transactionId": transaction_id}, timeout_s)

    async def status(self, station_id: str, transaction_id: str, timeout_s: float) -> StationAnswer:
        version = await self._calls.version_of(station_id)
        if version is OcppVersion.V16:
            raise CommandError(grpc.StatusCode.FAILED_PRECONDITION, "OCPP 1.6 has no GetTransactionStatus")
        payload = {"transactionId": transaction_id} if transaction_id else {}
        return await self._send(station_id, "GetTransactionStatus", payload, timeout_s)

    async def _send(self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float) -> StationAnswer:
        timeout = timeout_s if timeout_s > 0 else self._default_timeout_s
        response = await self._calls.send_call(station_id, action, payload, timeout)
        if response.WhichOneof("outcome") == "error":
            return StationAnswer(response.message_id, None, response.error)
        return StationAnswer(response.message_id, json.loads(response.result_json), None)


_VERSIONS = {
    envelope_pb2.OCPP_VERSION_16: OcppVersion.V16,
    envelope_pb2.OCPP_VERSION_201: OcppVersion.V201,
    envelope_pb2.OCPP_VERSION_21: OcppVersion.V21,
}


class GrpcStationCalls:
    """`StationCalls` over device-model's gRPC DeviceModelService."""

    def __init__(self, address: str) -> None:
        self._channel = grpc.aio.insecure_channel(address)
        self._stub = device_model_pb2_grpc.DeviceModelServiceStub(self._channel)

    async def version_of(self, station_id: str) -> OcppVersion:
        request = device_model_pb2.GetStationRequest(station_id=station_id)
        try:
            response = await self._stub.GetStation(request, timeout=10)
        except grpc.aio.AioRpcError as exc:
            raise _command_error(exc) from exc
        version = _VERSIONS.get(response.station.ocpp_version)
        if version is None:
            raise CommandError(grpc.StatusCode.FAILED_PRECONDITION, f"station {station_id} has no known OCPP version")
        return version

    async def send_call(
        self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float
    ) -> device_model_pb2.SendCallResponse:
        request = device_model_pb2.SendCallRequest(
            station_id=station_id, action=action, payload_json=json.dumps(payload), timeout_ms=int(timeout_s * 1000)
        )
        try:
            # The margin lets device-model report the station's silence (DEADLINE_EXCEEDED) itself.
            return await self._stub.SendCall(request, timeout=timeout_s + 5)
        except grpc.aio.AioRpcError as exc:
            raise _command_error(exc) from exc

    async def close(self) -> None:
        await self._channel.close(None)


def _command_error(exc: grpc.aio.AioRpcError) -> CommandError:
    return CommandError(exc.code(), f"device-model: {exc.details() or exc.code().name}")
