"""The station view projection: the service's events stored as sent, device-model's boots and profile commands
mapped to view entries with ids derived from their cause (other commands and events write nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.load.domain.config import parse_definition
from csms_smart_charging.load.domain.sites import site_defined, site_deleted
from csms_smart_charging.projections.view import PROJECTION, view_entry, writes
from kit.builders.smart_charging import STATION
from unit.smart_charging.events import request


def command_event(which: str, command: str, state: int) -> device_model_pb2.DeviceModelEvent:
    event = device_model_pb2.DeviceModelEvent(station_id=STATION, message_id="m")
    getattr(event, which).command.CopyFrom(
        device_model_pb2.Command(command_id="c1", command=command, state=state, result_json='{"status": "accepted"}')
    )
    return event


def test_own_events_are_written_as_they_are() -> None:
    event = request(1, 0, "set-charging-profile", {"evse_id": 1})
    [write] = writes([event], None)
    assert write.params[0] == STATION
    blob = write.params[3]
    assert isinstance(blob, bytes)
    assert smart_charging_pb2.SmartChargingEvent.FromString(blob) == event


def test_profile_commands_and_boots_become_entries_with_stable_ids() -> None:
    answered = command_event("command_answered", "set-charging-profile", device_model_pb2.COMMAND_STATE_ANSWERED)
    entry = view_entry(answered)
    assert entry is not None and entry.command_outcome.state == "ANSWERED"
    assert entry == view_entry(answered)
    queued = view_entry(
        command_event("command_queued", "get-composite-schedule", device_model_pb2.COMMAND_STATE_QUEUED)
    )
    assert queued is not None and queued.requested.request_key == "command:c1"
    boot = device_model_pb2.DeviceModelEvent(
        station_id=STATION, message_id="b", station_booted=device_model_pb2.StationBooted()
    )
    booted = view_entry(boot)
    assert booted is not None and booted.HasField("boot_seen")


def test_other_commands_write_nothing() -> None:
    assert view_entry(command_event("command_answered", "reset", device_model_pb2.COMMAND_STATE_ANSWERED)) is None
    assert writes([command_event("command_answered", "reset", device_model_pb2.COMMAND_STATE_ANSWERED)], None) == []


def test_the_projection_reads_both_topics() -> None:
    assert set(PROJECTION.event_types) == {"csms.smart_charging.events.v1", "csms.device_model.events.v1"}


def test_site_events_are_not_station_view_entries() -> None:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    definition = parse_definition("S", {"limit": 10})
    assert writes([site_defined(definition, at), site_deleted("S", at)], None) == []
