"""The DeviceModelService gRPC servicer: station queries and CSMS-initiated calls (no logic of its own)."""

from __future__ import annotations

from typing import Any

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.edge.v1 import edge_pb2
from csms_device_model.app.send_call import StationCommands
from csms_device_model.ports import CallErrorReply, StationsRepository
from csms_kernel.clients.station_calls import StationCallError

MAX_PAGE_SIZE = 1000


class DeviceModelServicer(device_model_pb2_grpc.DeviceModelServiceServicer):
    def __init__(self, repository: StationsRepository, commands: StationCommands) -> None:
        self._repository = repository
        self._commands = commands

    async def GetStation(
        self, request: device_model_pb2.GetStationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetStationResponse:
        station = await self._repository.station(request.station_id)
        if station is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"station {request.station_id} has never connected")
        return device_model_pb2.GetStationResponse(station=station)

    async def ListStations(
        self, request: device_model_pb2.ListStationsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListStationsResponse:
        page_size = min(request.page_size or 100, MAX_PAGE_SIZE)
        try:
            stations, token = await self._repository.stations(page_size, request.page_token)
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return device_model_pb2.ListStationsResponse(stations=stations, next_page_token=token)

    async def SendCall(
        self, request: device_model_pb2.SendCallRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.SendCallResponse:
        timeout_s = request.timeout_ms / 1000 if request.timeout_ms else None
        try:
            outcome = await self._commands.send_call(
                request.station_id, request.action, request.payload_json, timeout_s
            )
        except StationCallError as exc:
            await context.abort(exc.status, str(exc))
        if isinstance(outcome, CallErrorReply):
            error = edge_pb2.CallError(
                code=outcome.code, description=outcome.description, details_json=outcome.details_json
            )
            return device_model_pb2.SendCallResponse(message_id=outcome.message_id, error=error)
        return device_model_pb2.SendCallResponse(message_id=outcome.message_id, result_json=outcome.payload_json)
