"""The one client of device-model's operator commands (`DeviceModelService.SendCommand`, docs/adr/0020) for
services that hand commands over (security, firmware, smart charging): recorded there and sent in the background
(`wait = false`), at once or, with `queue_if_offline`, once the station is connected, until `expires_at`; a repeat
with the same idempotency key gets the one command it made. With `wait_s` (load management's TxProfiles, whose
lowers must be answered before any raise goes out; reservations) the call returns once the station answered or the
command failed (no answer within `wait_s`), the finished record. Side effects: gRPC to device-model over one channel."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.grpc_tls import GrpcTls

# Refusals that will not pass by themselves: the command, its params or the station's version are wrong.
FINAL = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNIMPLEMENTED})


class CommandRefused(Exception):
    """Device-model did not record the command: `code` is its gRPC status, `retryable` whether a later try may
    succeed (device-model down or overloaded) or not (bad params, unknown station, a version that cannot say it);
    the message says why."""

    def __init__(self, message: str, code: grpc.StatusCode) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = code not in FINAL


class StationCommands(Protocol):
    """What a service needs of device-model's operator commands (`StationCommandsClient`; fakes in tests/kit)."""

    async def send(
        self,
        station_id: str,
        command: str,
        params: Mapping[str, Any],
        *,
        idempotency_key: str,
        queue_if_offline: bool,
        expires_at: datetime | None,
        wait_s: float | None = None,
    ) -> device_model_pb2.Command:
        """The command device-model recorded for the station (a repeat with the same key: the same command, never
        a second one); with `wait_s`, once it is answered or failed (a repeat: once the first one is). CommandRefused
        when it did not record it."""


class StationCommandsClient:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._channel = channel(address, tls)
        self._stub = device_model_pb2_grpc.DeviceModelServiceStub(self._channel)
        self._timeout_s = timeout_s

    async def send(
        self,
        station_id: str,
        command: str,
        params: Mapping[str, Any],
        *,
        idempotency_key: str,
        queue_if_offline: bool,
        expires_at: datetime | None,
        wait_s: float | None = None,
    ) -> device_model_pb2.Command:
        """The command device-model recorded (its params carry the request_id it derived, if any); with `wait_s`,
        once the station answered it within that many seconds (ANSWERED) or it failed (FAILED)."""
        request = device_model_pb2.SendCommandRequest(
            station_id=station_id,
            command=command,
            params_json=json.dumps(dict(params)),
            wait=wait_s is not None,
            timeout_ms=round((wait_s or 0) * 1000),
            queue_if_offline=queue_if_offline,
            idempotency_key=idempotency_key,
        )
        if expires_at is not None:
            request.expires_at.CopyFrom(timestamp(expires_at))
        try:
            response = await self._stub.SendCommand(request, timeout=self._timeout_s + (wait_s or 0))
        except grpc.aio.AioRpcError as exc:
            raise CommandRefused(
                f"device-model refused {command} for {station_id}: {exc.code().name} {exc.details()}", exc.code()
            ) from exc
        return response.command

    async def close(self) -> None:
        await self._channel.close(None)
