"""The station firmware history: pure mapping of events to CQL writes into `station_events` (one row per event,
the serialized `FirmwareEvent`, folded when read by domain/history.py).

It reads csms.firmware.events.v1 (requests and the station's status reports) and csms.device_model.events.v1:
StationBooted becomes a `boot_seen` entry (the firmware version each boot reported: the success signal of an
update); a firmware command queued becomes a `requested` entry keyed `command:<command id>` (so a request sent as
a plain operator command, e.g. publish-firmware, is known too; the history merges it with the firmware
service's own `requested` of the same command), and its answer, failure or expiry a `command_outcome` entry;
other device-model events write nothing. Rows are keyed by (recorded_at, event_id), with ids derived from what
caused them, so a redelivered or republished event rewrites the same row. Every write carries USING TIMESTAMP =
recorded_at. `PROJECTION` declares it: group `firmware.projector.history`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import COMMAND_KEY_PREFIX, REQUEST_KINDS, TOPIC, derived_id
from csms_firmware.projections.tables import HISTORY_TABLES, KEYSPACE
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.infra.topics import DEVICE_MODEL_EVENTS
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write, micros

INSERT = (
    "INSERT INTO {ks}.station_events (station_id, recorded_at, event_id, event) VALUES (?, ?, ?, ?) USING TIMESTAMP ?"
)


def history_entry(event: device_model_pb2.DeviceModelEvent) -> firmware_pb2.FirmwareEvent | None:
    """The firmware history's entry for a device-model event, if it is one (a boot, a firmware command's end)."""
    which = event.WhichOneof("event")
    if which == "station_booted":
        booted = event.station_booted
        return firmware_pb2.FirmwareEvent(
            event_id=derived_id("boot", event.station_id, event.message_id),
            station_id=event.station_id,
            recorded_at=event.occurred_at,
            boot_seen=firmware_pb2.StationBootSeen(firmware_version=booted.firmware_version, reason=booted.reason),
        )
    if which in ("command_queued", "command_answered", "command_failed", "command_expired"):
        command = getattr(event, which).command
        if command.command not in REQUEST_KINDS:
            return None
        state = device_model_pb2.CommandState.Name(command.state).removeprefix("COMMAND_STATE_")
        if which == "command_queued":
            return firmware_pb2.FirmwareEvent(
                event_id=derived_id("command", command.command_id, state),
                station_id=event.station_id,
                recorded_at=command.created_at if command.HasField("created_at") else event.occurred_at,
                requested=firmware_pb2.FirmwareRequested(
                    request_key=COMMAND_KEY_PREFIX + command.command_id,
                    kind=REQUEST_KINDS[command.command],
                    command=command.command,
                    command_id=command.command_id,
                    ocpp_request_id=_request_id(command.params_json),
                    params_json=command.params_json,
                ),
            )
        return firmware_pb2.FirmwareEvent(
            event_id=derived_id("command", command.command_id, state),
            station_id=event.station_id,
            recorded_at=event.occurred_at,
            command_outcome=firmware_pb2.CommandOutcome(
                command_id=command.command_id,
                command=command.command,
                state=state,
                result_json=command.result_json,
                failure=command.failure,
            ),
        )
    return None


def _request_id(params_json: str) -> int:
    try:
        params = json.loads(params_json or "{}")
    except ValueError:
        return 0
    found = params.get("request_id") if isinstance(params, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else 0


def event_writes(event: firmware_pb2.FirmwareEvent) -> list[Write]:
    if not event.event_id or not event.station_id:
        raise ValueError("firmware event without an event_id or station_id")
    recorded_at = to_datetime(event.recorded_at)
    blob = event.SerializeToString(deterministic=True)
    return [Write(INSERT, (event.station_id, recorded_at, event.event_id, blob, micros(recorded_at)))]


def writes(events: Sequence[Message], state: None) -> list[Write]:
    found: list[Write] = []
    for event in events:
        entry = history_entry(event) if isinstance(event, device_model_pb2.DeviceModelEvent) else event
        if isinstance(entry, firmware_pb2.FirmwareEvent):
            found += event_writes(entry)
    return found


PROJECTION: Projection[Message, None] = Projection(
    name="firmware.projector.history",
    event_types={TOPIC: firmware_pb2.FirmwareEvent, DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent},
    keyspace=KEYSPACE,
    tables=HISTORY_TABLES,
    writes=writes,
)
