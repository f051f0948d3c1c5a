"""The `StationCommands` port over device-model's operator commands (the kernel's `StationCommandsClient`):
commands recorded there, sent at once or kept until the station is connected and accepted (`queue_if_offline`).
Side effects: gRPC to device-model over one channel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from csms_kernel.clients.station_commands import CommandRefused, StationCommandsClient
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_security.ports import CommandFailed


class GrpcStationCommands:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._client = StationCommandsClient(address, timeout_s, tls)

    async def send(
        self, station_id: str, command: str, params: Mapping[str, Any], expires_at: datetime, idempotency_key: str
    ) -> str:
        try:
            recorded = await self._client.send(
                station_id,
                command,
                params,
                idempotency_key=idempotency_key,
                queue_if_offline=True,
                expires_at=expires_at,
            )
        except CommandRefused as exc:
            raise CommandFailed(str(exc), retryable=exc.retryable) from exc
        return str(recorded.command_id)

    async def close(self) -> None:
        await self._client.close()
