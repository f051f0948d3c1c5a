"""CSMS-initiated calls to stations, through device-model's `SendCall`: the `StationCalls` port, its gRPC
adapter, the one deadline rule of every `SendCall` client, and the exceptions that say why a call has no answer.

A call is an `ocpp` call dataclass of the station's version (`ocpp.v201.call.RequestStartTransaction`); its
action is the class name, and the answer is the matching `ocpp` call_result dataclass. Device-model checks the
payload against the station's version and relays the CALL to the edge node that holds the station.
Side effects: gRPC to device-model over one lazily opened channel (to any of its instances).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.envelopes import version_from_proto
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.versions import OcppVersion

if TYPE_CHECKING:
    from csms.device_model.v1.device_model_pb2_grpc import DeviceModelServiceAsyncStub

# A gRPC call that waits for a station gets this much longer than the station's timeout, so the server (which
# waits for the station itself) reports the silence with DEADLINE_EXCEEDED before the client gives up.
CALL_DEADLINE_MARGIN_S = 5.0
# Deadline of a lookup that does not wait for a station.
LOOKUP_TIMEOUT_S = 10.0


def rpc_deadline_s(call_timeout_s: float) -> float:
    """The gRPC deadline of a call that waits up to `call_timeout_s` for the station's answer."""
    return call_timeout_s + CALL_DEADLINE_MARGIN_S


class StationCallError(Exception):
    """The station did not answer; `status` is the gRPC status that reports why."""

    default_status = grpc.StatusCode.UNKNOWN

    def __init__(self, message: str, status: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.status = status or self.default_status


class StationOffline(StationCallError):
    """The station is not connected (status NOT_FOUND when it never connected)."""

    default_status = grpc.StatusCode.FAILED_PRECONDITION


class CallTimedOut(StationCallError):
    default_status = grpc.StatusCode.DEADLINE_EXCEEDED


class CallFailed(StationCallError):
    """No answer for another reason (payload refused, station busy, device-model unreachable); says why."""


class CallErrorAnswer(Exception):
    """The station answered with a CALLERROR."""

    def __init__(self, code: str, description: str, details_json: str = "{}", message_id: str = "") -> None:
        super().__init__(f"{code}: {description}" if description else code)
        self.code = code
        self.description = description
        self.details_json = details_json
        self.message_id = message_id


@dataclass(frozen=True)
class Answered:
    """The station's CALLRESULT: `result` is the `ocpp` call_result dataclass of the request's action and
    version, `payload` the JSON payload as the station sent it."""

    message_id: str
    result: Any
    payload: dict[str, Any]


class StationCalls(Protocol):
    async def connected_version(self, station_id: str) -> OcppVersion:
        """The OCPP version of the station's current connection. Raises StationOffline, CallFailed."""

    async def send(self, station_id: str, request: Any, timeout_s: float) -> Answered:
        """Sends `request` (an `ocpp` call dataclass) and waits up to `timeout_s` for the answer. Raises
        StationOffline, CallTimedOut, CallErrorAnswer, CallFailed."""


def action_of(request: Any) -> str:
    """The OCPP action of an `ocpp` call dataclass (its class name); TypeError for anything else."""
    result_type_of(request)
    return type(request).__name__


def result_type_of(request: Any) -> type[Any]:
    """The `ocpp` call_result dataclass that answers an `ocpp` call dataclass, of the same version."""
    name = type(request).__name__
    for version in OcppVersion:
        if type(request) is getattr(version.call_module, name, None):
            result_type: type[Any] = getattr(version.call_result_module, name)
            return result_type
    raise TypeError(f"expected an ocpp call dataclass, got {type(request).__module__}.{name}")


def answered(request: Any, message_id: str, payload: dict[str, Any]) -> Answered:
    """The typed answer to `request`; CallFailed when the station's payload does not fit its result type."""
    try:
        result = to_request(result_type_of(request), payload)
    except OcppCallError as exc:
        raise CallFailed(f"the station's answer to {action_of(request)} does not fit its result type") from exc
    return Answered(message_id, result, payload)


class GrpcStationCalls:
    """`StationCalls` over device-model's gRPC DeviceModelService."""

    def __init__(self, device_model_address: str, tls: GrpcTls | None) -> None:
        self._address = device_model_address
        self._tls = tls
        self._channel: grpc.aio.Channel | None = None

    async def connected_version(self, station_id: str) -> OcppVersion:
        request = device_model_pb2.GetStationRequest(station_id=station_id)
        try:
            response = await self._stub().GetStation(request, timeout=LOOKUP_TIMEOUT_S)
        except grpc.aio.AioRpcError as exc:
            raise _no_answer(exc) from exc
        if not response.station.connected:
            raise StationOffline(f"station {station_id} is offline")
        return version_from_proto(response.station.ocpp_version)

    async def send(self, station_id: str, request: Any, timeout_s: float) -> Answered:
        call = device_model_pb2.SendCallRequest(
            station_id=station_id,
            action=action_of(request),
            payload_json=json.dumps(to_payload(request)),
            timeout_ms=round(timeout_s * 1000),
        )
        try:
            response = await self._stub().SendCall(call, timeout=rpc_deadline_s(timeout_s))
        except grpc.aio.AioRpcError as exc:
            raise _no_answer(exc) from exc
        if response.WhichOneof("outcome") == "error":
            error = response.error
            raise CallErrorAnswer(error.code, error.description, error.details_json, response.message_id)
        return answered(request, response.message_id, json.loads(response.result_json))

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close(grace=None)
            self._channel = None

    def _stub(self) -> DeviceModelServiceAsyncStub:
        if self._channel is None:
            self._channel = channel(self._address, self._tls)
        return device_model_pb2_grpc.DeviceModelServiceStub(self._channel)


def _no_answer(exc: grpc.aio.AioRpcError) -> StationCallError:
    code, details = exc.code(), exc.details() or ""
    if code in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
        return StationOffline(details or "station offline", code)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return CallTimedOut(details or "no answer in time")
    return CallFailed(f"device-model {code.name}: {details}", code)
