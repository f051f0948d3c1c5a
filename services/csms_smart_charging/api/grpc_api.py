"""The SmartChargingService gRPC servicer: profile commands (handed to app/profiles.py) and each station's profile
view (read model folded by domain/view.py). A station id or params that are not a JSON object is
INVALID_ARGUMENT; device-model's refusal keeps its status (INVALID_ARGUMENT: params it cannot send to the
station's version, NOT_FOUND: unknown station, FAILED_PRECONDITION: offline without queue_if_offline,
UNAVAILABLE: device-model unreachable); a request key used for another request is ALREADY_EXISTS; Kafka
unreachable is UNAVAILABLE."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import grpc

from csms.smart_charging.v1 import smart_charging_pb2, smart_charging_pb2_grpc
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_smart_charging.app.profiles import MAX_REQUEST_KEY, KeyConflict, ProfileRequests
from csms_smart_charging.domain.view import station_view
from csms_smart_charging.ports import StationEvents

Context = grpc.aio.ServicerContext[Any, Any]
Request = smart_charging_pb2.ProfileCommandRequest
Response = smart_charging_pb2.ProfileCommandResponse


class SmartChargingServicer(smart_charging_pb2_grpc.SmartChargingServiceServicer):
    def __init__(self, requests: ProfileRequests, events: StationEvents, clock: Callable[[], datetime]) -> None:
        self._requests = requests
        self._events = events
        self._clock = clock

    async def SetChargingProfile(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "set-charging-profile")

    async def ClearChargingProfile(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "clear-charging-profile")

    async def GetCompositeSchedule(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "get-composite-schedule")

    async def GetChargingProfiles(self, request: Request, context: Context) -> Response:
        return await self._hand_over(context, request, "get-charging-profiles")

    async def GetStationChargingProfiles(
        self, request: smart_charging_pb2.GetStationChargingProfilesRequest, context: Context
    ) -> smart_charging_pb2.StationChargingProfiles:
        await _check_station(context, request.station_id)
        return station_view(request.station_id, await self._events.events(request.station_id)).message()

    async def _hand_over(self, context: Context, request: Request, command: str) -> Response:
        await _check_station(context, request.station_id)
        try:
            params = json.loads(request.params_json or "{}")
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"params_json: not JSON ({exc})")
        if not isinstance(params, dict):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "params_json: must be a JSON object")
        if len(request.request_key) > MAX_REQUEST_KEY:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"request_key: at most {MAX_REQUEST_KEY} characters")
        expires_at = to_datetime(request.expires_at) if request.HasField("expires_at") else None
        if request.queue_if_offline and expires_at is not None and expires_at <= self._clock():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "expires_at must be in the future")
        try:
            recorded = await self._requests.request(
                request.station_id,
                command,
                params,
                origin=smart_charging_pb2.REQUEST_ORIGIN_OPERATOR,
                queue_if_offline=request.queue_if_offline,
                expires_at=expires_at,
                request_key=request.request_key,
            )
        except KeyConflict as exc:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, str(exc))
        except CommandRefused as exc:
            await context.abort(exc.code, str(exc))
        except EventLogUnavailable as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"the smart-charging event log is unavailable: {exc}")
        return Response(request=recorded)


async def _check_station(context: Context, station_id: str) -> None:
    try:
        check_station_id(station_id)
    except InvalidStationId as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"invalid station_id: {exc}")
