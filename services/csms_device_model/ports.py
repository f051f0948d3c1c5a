"""The ports of the device-model service: what its use cases, API and policies need from the outside, and the
values they exchange. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.presence import CloseOldConnection, Presence


@dataclass(frozen=True)
class CallResult:
    message_id: str
    payload_json: str


@dataclass(frozen=True)
class CallErrorReply:
    message_id: str
    code: str
    description: str
    details_json: str


Outcome = CallResult | CallErrorReply


class StationsRepository(Protocol):
    async def presence(self, station_id: str) -> Presence | None: ...

    async def registration(self, station_id: str) -> str | None:
        """The registration status the station's last boot was answered with (None before its first boot)."""

    async def station(self, station_id: str) -> device_model_pb2.Station | None: ...

    async def stations(self, page_size: int, page_token: str) -> tuple[list[device_model_pb2.Station], str]: ...


class EdgeNodeCalls(Protocol):
    """Sends a CALL through the edge node that holds the connection (gRPC EdgeService in production).

    Raises StationOffline (connection not there / node unreachable), CallTimedOut, StationBusy, CallFailed.
    """

    async def send_call(
        self, presence: Presence, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> Outcome: ...


class ConnectionCloser(Protocol):
    async def close(self, station_id: str, old: CloseOldConnection) -> None: ...
