"""The smart-charging service's ports: what its use cases need from device-model, Kafka and its read model
(Protocols; the gRPC, Kafka and Cassandra adapters are in adapters/, the fakes in tests/kit/fakes/smart_charging.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2


class StationCommands(Protocol):
    async def send(
        self,
        station_id: str,
        command: str,
        params: Mapping[str, Any],
        *,
        idempotency_key: str,
        queue_if_offline: bool,
        expires_at: datetime | None,
    ) -> device_model_pb2.Command:
        """The command device-model recorded for the station (a repeat with the same key: the same command, never
        a second one). csms_kernel.clients.station_commands.CommandRefused when it did not record it."""


class RequestKeys(Protocol):
    async def claim(
        self, station_id: str, request_key: str, command: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Stores the command and params under the station's request key unless the key has some already;
        returns what is stored (the first claim's, whoever made it)."""


class SmartChargingEventPublisher(Protocol):
    async def publish(self, events: Sequence[smart_charging_pb2.SmartChargingEvent]) -> None:
        """Appends the events to csms.smart_charging.events.v1 (acknowledged by Kafka when it returns)."""


class StationEvents(Protocol):
    async def events(self, station_id: str) -> list[smart_charging_pb2.SmartChargingEvent]:
        """Every entry of the station's profile view (oldest first)."""
