"""CSMS-initiated calls to stations, through device-model: the `StationCalls` port and its gRPC adapter.

`GrpcStationCalls` asks device-model's `GetStation` for a station's connection and OCPP version, and relays
CALLs with its `SendCall` (which validates the payload against the station's version and reaches the right
edge node). Side effects: gRPC to device-model over one lazily opened channel.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.infra.envelopes import version_from_proto
from csms_kernel.ocpp.versions import OcppVersion

if TYPE_CHECKING:
    from csms.device_model.v1.device_model_pb2_grpc import DeviceModelServiceAsyncStub

_RPC_MARGIN_S = 5.0  # device-model answers DEADLINE_EXCEEDED itself when the station is silent


class StationOffline(Exception):
    pass


class CallTimedOut(Exception):
    pass


class CallFailed(Exception):
    """No answer from the station for another reason (refused call, device-model unreachable); says why."""


class CallErrorAnswer(Exception):
    """The station answered with a CALLERROR."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description


class StationCalls(Protocol):
    async def connected_version(self, station_id: str) -> OcppVersion | None:
        """The OCPP version of the station's current connection; None when it is not connected."""

    async def call(self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """The station's CALLRESULT payload. Raises StationOffline, CallTimedOut, CallErrorAnswer, CallFailed."""


class GrpcStationCalls:
    def __init__(self, device_model_address: str) -> None:
        self._address = device_model_address
        self._channel: grpc.aio.Channel | None = None

    async def connected_version(self, station_id: str) -> OcppVersion | None:
        request = device_model_pb2.GetStationRequest(station_id=station_id)
        try:
            response = await self._stub().GetStation(request, timeout=10)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise CallFailed(f"device-model {exc.code().name}: {exc.details()}") from exc
        station = response.station
        return version_from_proto(station.ocpp_version) if station.connected else None

    async def call(self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        request = device_model_pb2.SendCallRequest(
            station_id=station_id, action=action, payload_json=json.dumps(payload), timeout_ms=round(timeout_s * 1000)
        )
        try:
            response = await self._stub().SendCall(request, timeout=timeout_s + _RPC_MARGIN_S)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
                raise StationOffline(exc.details() or "offline") from exc
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise CallTimedOut(exc.details() or "no answer in time") from exc
            raise CallFailed(f"device-model {exc.code().name}: {exc.details()}") from exc
        if response.WhichOneof("outcome") == "error":
            raise CallErrorAnswer(response.error.code, response.error.description)
        result: dict[str, Any] = json.loads(response.result_json)
        return result

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close(grace=None)
            self._channel = None

    def _stub(self) -> DeviceModelServiceAsyncStub:
        if self._channel is None:
            self._channel = grpc.aio.insecure_channel(self._address)
        return device_model_pb2_grpc.DeviceModelServiceStub(self._channel)
