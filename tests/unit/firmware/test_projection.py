"""The history projection: firmware events stored as they are; device-model boots and firmware command outcomes
as history entries with derived ids; other device-model events write nothing."""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import derived_id
from csms_firmware.projections.history import INSERT, PROJECTION, history_entry
from csms_kernel.infra.envelopes import timestamp, to_datetime
from csms_kernel.infra.topics import DEVICE_MODEL_EVENTS, FIRMWARE_EVENTS
from csms_kernel.projecting.writes import Write, micros
from kit.builders.firmware import NOW
from unit.firmware.events import report, update


def test_it_reads_both_topics() -> None:
    assert PROJECTION.topics == (FIRMWARE_EVENTS, DEVICE_MODEL_EVENTS)
    assert (PROJECTION.name, PROJECTION.keyspace, PROJECTION.tables) == (
        "firmware.projector.history",
        "csms_firmware",
        ("station_events",),
    )


def test_firmware_events_are_stored_whole() -> None:
    events = [update("u1", 1, 7), report(1, 2, "Downloading", request_id=7)]
    writes = PROJECTION.writes(events, None)
    assert writes == [
        Write(
            INSERT,
            (
                "CS-1",
                to_datetime(e.recorded_at),
                e.event_id,
                e.SerializeToString(deterministic=True),
                micros(to_datetime(e.recorded_at)),
            ),
        )
        for e in events
    ]


def test_a_boot_becomes_a_history_entry() -> None:
    event = device_model_pb2.DeviceModelEvent(
        station_id="CS-1",
        message_id="boot-1",
        occurred_at=timestamp(NOW),
        station_booted=device_model_pb2.StationBooted(firmware_version="2.0", reason="FirmwareUpdate"),
    )
    assert history_entry(event) == firmware_pb2.FirmwareEvent(
        event_id=derived_id("boot", "CS-1", "boot-1"),
        station_id="CS-1",
        recorded_at=timestamp(NOW),
        boot_seen=firmware_pb2.StationBootSeen(firmware_version="2.0", reason="FirmwareUpdate"),
    )
    assert len(PROJECTION.writes([event], None)) == 1


def test_a_firmware_command_outcome_but_no_other_command() -> None:
    def answered(command: str) -> device_model_pb2.DeviceModelEvent:
        return device_model_pb2.DeviceModelEvent(
            station_id="CS-1",
            occurred_at=timestamp(NOW),
            command_answered=device_model_pb2.CommandAnswered(
                command=device_model_pb2.Command(
                    command_id="c-1",
                    command=command,
                    state=device_model_pb2.COMMAND_STATE_ANSWERED,
                    result_json='{"status": "accepted"}',
                )
            ),
        )

    entry = history_entry(answered("update-firmware"))
    assert entry is not None
    assert entry.command_outcome == firmware_pb2.CommandOutcome(
        command_id="c-1", command="update-firmware", state="ANSWERED", result_json='{"status": "accepted"}'
    )
    assert history_entry(answered("reset")) is None
    status = device_model_pb2.DeviceModelEvent(
        station_id="CS-1", connector_status_changed=device_model_pb2.ConnectorStatusChanged(status="Available")
    )
    assert PROJECTION.writes([answered("reset"), status], None) == []


def test_a_queued_firmware_command_is_a_request_entry() -> None:
    command = device_model_pb2.Command(
        command_id="c-9",
        command="publish-firmware",
        state=device_model_pb2.COMMAND_STATE_QUEUED,
        params_json='{"location": "https://fw/x.bin", "checksum": "00", "request_id": 31}',
        created_at=timestamp(NOW),
    )
    event = device_model_pb2.DeviceModelEvent(
        station_id="LC-1", command_queued=device_model_pb2.CommandQueued(command=command)
    )
    assert history_entry(event) == firmware_pb2.FirmwareEvent(
        event_id=derived_id("command", "c-9", "QUEUED"),
        station_id="LC-1",
        recorded_at=timestamp(NOW),
        requested=firmware_pb2.FirmwareRequested(
            request_key="command:c-9",
            kind=firmware_pb2.REQUEST_KIND_FIRMWARE_PUBLISH,
            command="publish-firmware",
            command_id="c-9",
            ocpp_request_id=31,
            params_json=command.params_json,
        ),
    )
    event.command_queued.command.params_json = "not json"
    entry = history_entry(event)
    assert entry is not None and entry.requested.ocpp_request_id == 0
