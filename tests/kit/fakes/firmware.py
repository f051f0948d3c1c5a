"""In-memory fakes of the firmware service's ports: device-model's commands (recording, idempotent by key, or
refusing), the event publisher and the history read model (fed by the projection's own mapping)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import grpc

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.infra.envelopes import timestamp


@dataclass
class SentCommand:
    station_id: str
    command: str
    params: dict[str, Any]
    idempotency_key: str
    queue_if_offline: bool
    expires_at: datetime | None
    wait_s: float | None = None


@dataclass
class RecordingCommands:
    """Device-model as seen through SendCommand: one command per (station, key), its params given the request
    id `request_id` (as device-model derives one) when the command takes one; `refusal` refuses every command.
    A command sent with `wait_s` comes back answered as device-model words it: {"status": `statuses[station]`, default
    "accepted"} (snake case), or FAILED
    for a station in `unanswered`."""

    created_at: datetime
    request_id: int = 4242
    refusal: grpc.StatusCode | None = None
    sent: list[SentCommand] = field(default_factory=list)
    commands: dict[tuple[str, str], device_model_pb2.Command] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    unanswered: set[str] = field(default_factory=set)

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
        if self.refusal is not None:
            raise CommandRefused(f"device-model refused {command} for {station_id}: {self.refusal.name}", self.refusal)
        known = self.commands.get((station_id, idempotency_key))
        if known is not None:
            return known
        self.sent.append(
            SentCommand(station_id, command, dict(params), idempotency_key, queue_if_offline, expires_at, wait_s)
        )
        given = dict(params)
        if command != "get-diagnostics":
            given.setdefault("request_id", self.request_id)
        recorded = device_model_pb2.Command(
            command_id=f"cmd-{len(self.sent)}",
            station_id=station_id,
            command=command,
            params_json=json.dumps(given),
            created_at=timestamp(self.created_at),
        )
        if wait_s is not None and station_id in self.unanswered:
            recorded.state, recorded.failure = device_model_pb2.COMMAND_STATE_FAILED, "timeout"
        elif wait_s is not None:
            recorded.state = device_model_pb2.COMMAND_STATE_ANSWERED
            recorded.result_json = json.dumps({"status": self.statuses.get(station_id, "accepted")})
        self.commands[(station_id, idempotency_key)] = recorded
        return recorded


@dataclass
class InMemoryRequestKeys:
    claimed: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)

    async def claim(
        self, station_id: str, request_key: str, command: str, params: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        return self.claimed.setdefault((station_id, request_key), (command, dict(params)))


@dataclass
class PublishedEvents:
    events: list[firmware_pb2.FirmwareEvent] = field(default_factory=list)

    async def publish(self, events: Sequence[firmware_pb2.FirmwareEvent]) -> None:
        self.events.extend(events)


@dataclass
class ListedHistory:
    """The read model: the events given (FirmwareEvents as the projection stores them)."""

    events_by_station: dict[str, list[firmware_pb2.FirmwareEvent]] = field(default_factory=dict)

    def add(self, *events: firmware_pb2.FirmwareEvent) -> None:
        for event in events:
            self.events_by_station.setdefault(event.station_id, []).append(event)

    async def events(self, station_id: str) -> list[firmware_pb2.FirmwareEvent]:
        return list(self.events_by_station.get(station_id, []))
