"""The `ReservationCommands` port over device-model's operator commands (the kernel's `StationCommandsClient`), sent
at once (never queued for an offline station) and waited for (docs/adr/0043). Side effects: gRPC to device-model
over one channel."""

from __future__ import annotations

import json
from typing import Any

import grpc

from csms.device_model.v1 import device_model_pb2
from csms_authorization.ports import CommandNotSent, SendFailure
from csms_kernel.clients.station_commands import CommandRefused, StationCommandsClient
from csms_kernel.infra.grpc_tls import GrpcTls

_FAILURES = {
    grpc.StatusCode.NOT_FOUND: SendFailure.UNKNOWN_STATION,
    grpc.StatusCode.FAILED_PRECONDITION: SendFailure.OFFLINE,
    grpc.StatusCode.INVALID_ARGUMENT: SendFailure.INVALID,
}


class GrpcReservationCommands:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._client = StationCommandsClient(address, timeout_s, tls)

    async def send(
        self, station_id: str, command: str, params: dict[str, Any], idempotency_key: str, wait_s: float
    ) -> str | None:
        try:
            recorded = await self._client.send(
                station_id,
                command,
                params,
                idempotency_key=idempotency_key,
                queue_if_offline=False,
                expires_at=None,
                wait_s=wait_s,
            )
        except CommandRefused as exc:
            raise CommandNotSent(_FAILURES.get(exc.code, SendFailure.UNAVAILABLE), str(exc)) from exc
        if recorded.state != device_model_pb2.COMMAND_STATE_ANSWERED or not recorded.result_json:
            return None
        status = json.loads(recorded.result_json).get("status")
        return str(status) if status is not None else None

    async def close(self) -> None:
        await self._client.close()
