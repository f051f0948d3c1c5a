"""The smart-charging service's ports: what its use cases need from device-model, Kafka and its read model
(Protocols; the gRPC, Kafka and Cassandra adapters are in adapters/, the fakes in tests/kit/fakes/smart_charging.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.clients.request_keys import RequestKeys as RequestKeys
from csms_kernel.clients.station_commands import StationCommands as StationCommands


class SmartChargingEventPublisher(Protocol):
    async def publish(self, events: Sequence[smart_charging_pb2.SmartChargingEvent]) -> None:
        """Appends the events to csms.smart_charging.events.v1 (acknowledged by Kafka when it returns)."""


class ActiveTransactions(Protocol):
    async def active_transaction(self, station_id: str, evse_id: int) -> str | None:
        """The id the station knows its active transaction on the EVSE by (None: none). RetryableError when the
        transactions service cannot say."""


class StationEvents(Protocol):
    async def events(self, station_id: str) -> list[smart_charging_pb2.SmartChargingEvent]:
        """Every entry of the station's profile view (oldest first)."""
