"""The DeviceModelService gRPC servicer: station queries, CSMS-initiated calls, operator commands, provisioning, the
device model inventory and reports, display messages, the DataTransfer log and periodic event streams (no logic of
its own)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.edge.v1 import edge_pb2
from csms_device_model.app.monitoring import EventFilters, StationMonitoring, UnknownReport
from csms_device_model.app.operator_commands import NewCommand, OperatorCommands
from csms_device_model.app.provisioning import Provisioning
from csms_device_model.app.send_call import StationCommands
from csms_device_model.domain.commands.messages import command_message
from csms_device_model.ports import (
    CallErrorReply,
    DataTransferReads,
    DeviceModelInventory,
    DisplayMessageReads,
    PeriodicStreams,
    StationsRepository,
    VariableFilter,
)
from csms_kernel.clients.station_calls import StationCallError
from csms_kernel.infra.envelopes import to_datetime

MAX_IDEMPOTENCY_KEY = 200
MAX_PAGE_SIZE = 1000
DEFAULT_STREAM_VALUES = 1000
MAX_STREAM_VALUES = 10_000
MAX_STREAM_SPAN = timedelta(days=31)
DEFAULT_STREAM_SPAN = timedelta(days=1)


class DeviceModelServicer(device_model_pb2_grpc.DeviceModelServiceServicer):
    def __init__(
        self,
        repository: StationsRepository,
        commands: StationCommands,
        operator_commands: OperatorCommands,
        *,
        periodic_streams: PeriodicStreams,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        display_messages: DisplayMessageReads,
        data_transfers: DataTransferReads,
        inventory: DeviceModelInventory,
        provisioning: Provisioning,
        monitoring: StationMonitoring,
    ) -> None:
        self._repository = repository
        self._commands = commands
        self._operator_commands = operator_commands
        self._periodic_streams = periodic_streams
        self._clock = clock
        self._display_messages = display_messages
        self._data_transfers = data_transfers
        self._inventory = inventory
        self._provisioning = provisioning
        self._monitoring = monitoring

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

    async def SendCommand(
        self, request: device_model_pb2.SendCommandRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.SendCommandResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        if len(request.idempotency_key) > MAX_IDEMPOTENCY_KEY:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"idempotency_key is longer than {MAX_IDEMPOTENCY_KEY} characters"
            )
        try:
            params = json.loads(request.params_json or "{}")
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"params_json is not valid JSON: {exc}")
        new = NewCommand(
            station_id=request.station_id,
            command=request.command,
            params=params,
            timeout_s=request.timeout_ms / 1000 if request.timeout_ms else None,
            wait=request.wait,
            queue_if_offline=request.queue_if_offline,
            expires_at=to_datetime(request.expires_at) if request.HasField("expires_at") else None,
            idempotency_key=request.idempotency_key,
        )
        try:
            record = await self._operator_commands.send(new)
        except StationCallError as exc:
            await context.abort(exc.status, str(exc))
        return device_model_pb2.SendCommandResponse(command=command_message(record))

    async def GetCommand(
        self, request: device_model_pb2.GetCommandRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetCommandResponse:
        try:
            record = await self._operator_commands.get(request.command_id)
        except StationCallError as exc:
            await context.abort(exc.status, str(exc))
        return device_model_pb2.GetCommandResponse(command=command_message(record))

    async def ListCommands(
        self, request: device_model_pb2.ListCommandsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListCommandsResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        page_size = min(request.page_size or 100, MAX_PAGE_SIZE)
        try:
            records, token = await self._operator_commands.station_commands(
                request.station_id, page_size, request.page_token
            )
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return device_model_pb2.ListCommandsResponse(
            commands=[command_message(record) for record in records], next_page_token=token
        )

    async def ListPeriodicStreams(
        self, request: device_model_pb2.ListPeriodicStreamsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListPeriodicStreamsResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        streams = await self._periodic_streams.streams(request.station_id)
        return device_model_pb2.ListPeriodicStreamsResponse(streams=streams)

    async def GetPeriodicStreamData(
        self, request: device_model_pb2.GetPeriodicStreamDataRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetPeriodicStreamDataResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        if request.limit > MAX_STREAM_VALUES:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"limit must be at most {MAX_STREAM_VALUES}")
        until = to_datetime(request.until) if request.HasField("until") else self._clock()
        since = to_datetime(request.since) if request.HasField("since") else until - DEFAULT_STREAM_SPAN
        if not since < until <= since + MAX_STREAM_SPAN:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"since must be before until, at most {MAX_STREAM_SPAN.days} days"
            )
        values = await self._periodic_streams.values(
            request.station_id, request.stream_id, since, until, request.limit or DEFAULT_STREAM_VALUES
        )
        return device_model_pb2.GetPeriodicStreamDataResponse(values=values)

    async def ListDisplayMessages(
        self, request: device_model_pb2.ListDisplayMessagesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListDisplayMessagesResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        messages = await self._display_messages.display_messages(request.station_id)
        now = self._clock()
        # A station stops showing a message at its endDateTime and removes it without telling the CSMS (block O)
        shown = [m for m in messages if not m.HasField("end_at") or to_datetime(m.end_at) > now]
        return device_model_pb2.ListDisplayMessagesResponse(messages=shown)

    async def ListDataTransfers(
        self, request: device_model_pb2.ListDataTransfersRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListDataTransfersResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        page_size = min(request.page_size or 100, MAX_PAGE_SIZE)
        try:
            transfers, token = await self._data_transfers.data_transfers(
                request.station_id, page_size, request.page_token
            )
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return device_model_pb2.ListDataTransfersResponse(transfers=transfers, next_page_token=token)

    async def GetDeviceModel(
        self, request: device_model_pb2.GetDeviceModelRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetDeviceModelResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        where = VariableFilter(
            component=request.component,
            variable=request.variable,
            evse_id=request.evse_id if request.HasField("evse_id") else None,
            attribute_type=request.attribute_type,
        )
        page_size = min(request.page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        try:
            variables, token = await self._inventory.variables(request.station_id, where, page_size, request.page_token)
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return device_model_pb2.GetDeviceModelResponse(variables=variables, next_page_token=token)

    async def ListReports(
        self, request: device_model_pb2.ListReportsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListReportsResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        return device_model_pb2.ListReportsResponse(reports=await self._inventory.reports(request.station_id))

    async def GetStationProvisioning(
        self, request: device_model_pb2.GetStationProvisioningRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetStationProvisioningResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        provisioning = await self._provisioning.get(request.station_id)
        return device_model_pb2.GetStationProvisioningResponse(provisioning=provisioning)

    async def SetStationProvisioning(
        self, request: device_model_pb2.SetStationProvisioningRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.SetStationProvisioningResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        try:
            provisioning, trigger = await self._provisioning.set(
                request.station_id, request.boot_policy, request.trigger_boot
            )
        except StationCallError as exc:
            await context.abort(exc.status, str(exc))
        response = device_model_pb2.SetStationProvisioningResponse(provisioning=provisioning)
        if trigger is not None:
            response.trigger_command.CopyFrom(command_message(trigger))
        return response

    async def ListStationBoots(
        self, request: device_model_pb2.ListStationBootsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListStationBootsResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        page_size = min(request.page_size or 100, MAX_PAGE_SIZE)
        try:
            boots, token = await self._provisioning.boots(request.station_id, page_size, request.page_token)
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return device_model_pb2.ListStationBootsResponse(boots=boots, next_page_token=token)

    async def ListStationEvents(
        self, request: device_model_pb2.ListStationEventsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListStationEventsResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        filters = EventFilters(
            since=to_datetime(request.since) if request.HasField("since") else None,
            cleared=request.cleared if request.HasField("cleared") else None,
            max_severity=request.max_severity if request.HasField("max_severity") else None,
        )
        page_size = min(request.page_size or 100, MAX_PAGE_SIZE)
        try:
            events, token = await self._monitoring.events(request.station_id, page_size, request.page_token, filters)
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")
        return device_model_pb2.ListStationEventsResponse(events=events, next_page_token=token)

    async def ListMonitors(
        self, request: device_model_pb2.ListMonitorsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.ListMonitorsResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        monitors, reports = await self._monitoring.monitors(request.station_id)
        return device_model_pb2.ListMonitorsResponse(monitors=monitors, reports=reports)

    async def GetCustomerInformation(
        self, request: device_model_pb2.GetCustomerInformationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetCustomerInformationResponse:
        if not request.station_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
        try:
            return await self._monitoring.customer_information(request.station_id, request.request_id)
        except UnknownReport as exc:
            await context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
