"""Test data for device-model unit tests: a fixed clock and call, overridable per test, and handler contexts
from the wired service."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.api.grpc_api import DeviceModelServicer
from csms_device_model.app.operator_commands import OperatorCommands
from csms_device_model.bootstrap import build
from csms_device_model.domain.commands.record import CommandRecord, CommandState, OcppCall
from csms_device_model.domain.presence import Presence
from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ports import Registration
from csms_device_model.settings import DeviceModelSettings
from csms_kernel.handling.router import CallInfo
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.fakes.device_model import (
    InMemoryCommandOutbox,
    InMemoryCommandStore,
    InMemoryMonitoringReads,
    InMemoryProvisioning,
    InMemoryStationCredentials,
    InMemoryStationsRepository,
    RecordingDeviceModelEvents,
    ScriptedEdge,
    ScriptedEdges,
)
from kit.fakes.outbox import FakeLease

NOW = datetime(2026, 11, 21, 12, 0, 0, 123456, tzinfo=UTC)
NOW_ISO = "2026-11-21T12:00:00.123Z"


SETTINGS = DeviceModelSettings(heartbeat_interval_s=300)


def make_context(
    version: OcppVersion,
    *,
    settings: DeviceModelSettings = SETTINGS,
    provisioning: InMemoryProvisioning | None = None,
    **overrides: Any,
) -> DeviceModelContext:
    """The context the wired service gives a handler of this call (the boot handlers read the boot policies of
    `provisioning`, empty by default; no other port is used by handlers)."""
    call = CallInfo("CS-1", "default", version, "msg-1", "BootNotification", NOW, "edge-1", "conn-1")
    provisioning = provisioning or InMemoryProvisioning()
    router = build(
        settings,
        repository=InMemoryStationsRepository(),
        edges=ScriptedEdge(RuntimeError("no station calls")),
        boot_policies=provisioning,
        boot_history=provisioning,
    ).router
    assert router is not None
    context: DeviceModelContext = router.context(replace(call, **overrides))
    return context


def expected_event(version: OcppVersion, **event: Any) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id="CS-1",
        ocpp_version=version_to_proto(version),
        message_id="msg-1",
        occurred_at=timestamp(NOW),
        **event,
    )


def a_command(**overrides: Any) -> CommandRecord:
    """A queued reset of CS-1 (1.6), created at NOW; times in milliseconds, as Cassandra keeps them."""
    values: dict[str, Any] = {
        "command_id": "cmd-1",
        "station_id": "CS-1",
        "command": "reset",
        "params": {"type": "hard"},
        "state": CommandState.QUEUED,
        "ocpp_version": OcppVersion.V16,
        "calls": (OcppCall("Reset", {"type": "Hard"}),),
        "timeout_s": 30.0,
        "created_at": NOW,
    }
    values.update(overrides)
    return CommandRecord(**values)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class CommandsWorld:
    """Operator commands over in-memory fakes: stations, the edge, one command store shared by every instance
    `instance()` makes (as instances share Cassandra), a clock moved by hand, ids cmd-1, cmd-2, ..."""

    store: InMemoryCommandStore = field(default_factory=InMemoryCommandStore)
    stations: InMemoryStationsRepository = field(default_factory=InMemoryStationsRepository)
    edges: ScriptedEdges = field(default_factory=ScriptedEdges)
    clock: Clock = field(default_factory=Clock)
    credentials: InMemoryStationCredentials = field(default_factory=InMemoryStationCredentials)
    provisioning: InMemoryProvisioning = field(default_factory=InMemoryProvisioning)
    monitoring: InMemoryMonitoringReads = field(default_factory=InMemoryMonitoringReads)
    changes: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def instance(self, edges: ScriptedEdges | None = None) -> OperatorCommands:
        return OperatorCommands(
            self.store,
            self.stations,
            edges or self.edges,
            self.clock,
            default_timeout_s=30.0,
            grace_s=15.0,
            changed=lambda: self.changes.append("changed"),
            new_id=lambda: f"cmd-{next(self._ids)}",
            credentials=self.credentials,
        )

    def servicer(self) -> DeviceModelServicer:
        """The servicer of the wired service over these fakes (call it inside the event loop)."""
        api = build(
            SETTINGS,
            repository=self.stations,
            edges=self.edges,
            commands=self.store,
            command_outbox=InMemoryCommandOutbox(self.store),
            event_log=RecordingDeviceModelEvents(),
            leases=lambda name: FakeLease(),
            credentials=self.credentials,
            boot_policies=self.provisioning,
            boot_history=self.provisioning,
            monitoring=self.monitoring,
            clock=self.clock,
        ).grpc
        assert api is not None
        servicer: DeviceModelServicer = api.servicer
        return servicer

    def connect(self, station_id: str, version: OcppVersion = OcppVersion.V16, registration: str = "Accepted") -> None:
        self.stations.presences[station_id] = Presence(True, "edge-1", "conn-1", "127.0.0.1:1", version.subprotocol)
        self.booted(station_id, registration)

    def booted(self, station_id: str, registration: str) -> None:
        """The station's last boot was answered `registration` (at NOW)."""
        self.stations.registrations[station_id] = registration
        self.provisioning.registrations[station_id] = Registration(registration, NOW)

    def disconnect(self, station_id: str, version: OcppVersion = OcppVersion.V16) -> None:
        self.stations.presences[station_id] = Presence(False, "edge-1", "conn-1", "127.0.0.1:1", version.subprotocol)
