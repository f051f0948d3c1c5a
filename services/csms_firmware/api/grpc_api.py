"""The FirmwareService gRPC servicer: firmware and log requests (handed to app/requests.py) and each station's history
(read model folded by domain/history.py); the campaign rpcs are campaigns/api/grpc_api.py's. An update names a
location or an uploaded image (`image_id`; NOT_FOUND when there is none; FAILED_PRECONDITION when it is for another
vendor/model than the station's last boot, or the station never booted, unless `force`). A station id or params that
cannot make a command is INVALID_ARGUMENT; device-model's refusal keeps its status (NOT_FOUND: unknown station,
FAILED_PRECONDITION: offline without queue_if_offline, UNAVAILABLE: device-model unreachable); a request key used
for another request is ALREADY_EXISTS; Kafka unreachable is UNAVAILABLE."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import grpc

from csms.firmware.v1 import firmware_pb2, firmware_pb2_grpc
from csms_firmware.app.requests import (
    MAX_REQUEST_KEY,
    FirmwareRequests,
    IncompatibleImage,
    KeyConflict,
    StationNotBooted,
    UnknownImage,
)
from csms_firmware.campaigns.api.grpc_api import CampaignRpcs
from csms_firmware.campaigns.ports import CampaignLog, StationDirectory
from csms_firmware.domain.history import LOG_UPLOAD, station_history
from csms_firmware.domain.params import BadRequest, CommandParams, log_params, update_params
from csms_firmware.ports import FirmwareHistory
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id
from csms_kernel.outbox.relay import EventLogUnavailable

Context = grpc.aio.ServicerContext[Any, Any]
Send = Callable[[datetime | None], Awaitable[firmware_pb2.FirmwareRequested]]


class FirmwareServicer(CampaignRpcs, firmware_pb2_grpc.FirmwareServiceServicer):
    def __init__(
        self,
        requests: FirmwareRequests,
        history: FirmwareHistory,
        clock: Callable[[], datetime],
        campaigns: CampaignLog,
        directory: StationDirectory,
    ) -> None:
        CampaignRpcs.__init__(self, campaigns, directory, clock)
        self._requests = requests
        self._history = history
        self._clock = clock

    async def RequestFirmwareUpdate(
        self, request: firmware_pb2.RequestFirmwareUpdateRequest, context: Context
    ) -> firmware_pb2.RequestFirmwareUpdateResponse:
        await _check_station(context, request.station_id)
        if request.image_id:
            recorded = await self._hand_over(
                context, request, lambda expires_at: self._requests.update_image(request, expires_at=expires_at)
            )
            return firmware_pb2.RequestFirmwareUpdateResponse(request=recorded)
        try:
            command = update_params(request, self._clock())
        except BadRequest as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        recorded = await self._hand_over(context, request, self._as_command(request, command))
        return firmware_pb2.RequestFirmwareUpdateResponse(request=recorded)

    async def RequestLogUpload(
        self, request: firmware_pb2.RequestLogUploadRequest, context: Context
    ) -> firmware_pb2.RequestLogUploadResponse:
        await _check_station(context, request.station_id)
        try:
            command = log_params(request)
        except BadRequest as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        recorded = await self._hand_over(context, request, self._as_command(request, command))
        return firmware_pb2.RequestLogUploadResponse(request=recorded)

    async def GetStationFirmware(
        self, request: firmware_pb2.GetStationFirmwareRequest, context: Context
    ) -> firmware_pb2.GetStationFirmwareResponse:
        await _check_station(context, request.station_id)
        history = station_history(await self._history.events(request.station_id))
        return history.firmware()

    async def ListLogRequests(
        self, request: firmware_pb2.ListLogRequestsRequest, context: Context
    ) -> firmware_pb2.ListLogRequestsResponse:
        await _check_station(context, request.station_id)
        history = station_history(await self._history.events(request.station_id))
        return firmware_pb2.ListLogRequestsResponse(
            requests=history.of_kind(LOG_UPLOAD), unmatched=history.unmatched_of(LOG_UPLOAD)
        )

    def _as_command(self, request: Any, command: CommandParams) -> Send:
        def send(expires_at: datetime | None) -> Awaitable[firmware_pb2.FirmwareRequested]:
            return self._requests.request(
                request.station_id,
                command,
                queue_if_offline=request.queue_if_offline,
                expires_at=expires_at,
                request_key=request.request_key,
            )

        return send

    async def _hand_over(self, context: Context, request: Any, send: Send) -> firmware_pb2.FirmwareRequested:
        if len(request.request_key) > MAX_REQUEST_KEY:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"request_key: at most {MAX_REQUEST_KEY} characters")
        if request.queue_if_offline and request.HasField("expires_at"):
            if to_datetime(request.expires_at) <= self._clock():
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "expires_at must be in the future")
        try:
            return await send(to_datetime(request.expires_at) if request.HasField("expires_at") else None)
        except BadRequest as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except UnknownImage as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
        except (IncompatibleImage, StationNotBooted) as exc:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        except KeyConflict as exc:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, str(exc))
        except CommandRefused as exc:
            await context.abort(exc.code, str(exc))
        except EventLogUnavailable as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"the firmware event log is unavailable: {exc}")


async def _check_station(context: Context, station_id: str) -> None:
    try:
        check_station_id(station_id)
    except InvalidStationId as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"invalid station_id: {exc}")
