"""The `StationCommands` port over device-model's gRPC `SendCommand` (docs/adr/0020): commands recorded there,
sent at once or kept until the station is connected and accepted (`queue_if_offline`), in the background
(`wait = false`). Side effects: gRPC to device-model over one channel."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_security.ports import CommandFailed

# Refusals that will not pass by themselves: the command, its params or the station's version are wrong.
_FINAL = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNIMPLEMENTED})


class GrpcStationCommands:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._channel = channel(address, tls)
        self._stub = device_model_pb2_grpc.DeviceModelServiceStub(self._channel)
        self._timeout_s = timeout_s

    async def send(
        self, station_id: str, command: str, params: Mapping[str, Any], expires_at: datetime, idempotency_key: str
    ) -> str:
        request = device_model_pb2.SendCommandRequest(
            station_id=station_id,
            command=command,
            params_json=json.dumps(dict(params)),
            wait=False,
            queue_if_offline=True,
            expires_at=timestamp(expires_at),
            idempotency_key=idempotency_key,
        )
        try:
            response = await self._stub.SendCommand(request, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise CommandFailed(
                f"device-model refused {command} for {station_id}: {exc.code().name} {exc.details()}",
                retryable=exc.code() not in _FINAL,
            ) from exc
        return str(response.command.command_id)

    async def close(self) -> None:
        await self._channel.close(None)
