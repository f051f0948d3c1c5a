"""The station profile view: pure mapping of events to CQL writes into `station_events` (one row per event, the
serialized `SmartChargingEvent`, folded when read by domain/view.py).

It reads csms.smart_charging.events.v1 (the service's requests and the stations' reports) and
csms.device_model.events.v1: StationBooted becomes a `boot_seen` entry; a profile command queued becomes a
`requested` entry keyed `command:<command id>` (so a profile sent as a plain operator command is known too; the
view merges it with the service's own `requested` of the same command), and its answer, failure or expiry a
`command_outcome` entry; other device-model events write nothing, nor do the site-keyed events (load management's
SiteDefined, SiteLimitChanged, SiteDeleted). Rows are keyed by (recorded_at, event_id), with
ids derived from what caused them, so a redelivered or republished event rewrites the same row. Every write
carries USING TIMESTAMP = recorded_at. `PROJECTION` declares it: group `smart_charging.projector.view`.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.infra.topics import DEVICE_MODEL_EVENTS
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write, micros
from csms_smart_charging.domain.events import COMMAND_KEY_PREFIX, PROFILE_COMMANDS, TOPIC, derived_id
from csms_smart_charging.load.domain.sites import SITE_EVENTS
from csms_smart_charging.projections.tables import KEYSPACE, VIEW_TABLES

INSERT = (
    "INSERT INTO {ks}.station_events (station_id, recorded_at, event_id, event) VALUES (?, ?, ?, ?) USING TIMESTAMP ?"
)


def view_entry(event: device_model_pb2.DeviceModelEvent) -> smart_charging_pb2.SmartChargingEvent | None:
    """The profile view's entry for a device-model event, if it is one (a boot, a profile command's progress)."""
    which = event.WhichOneof("event")
    if which == "station_booted":
        return smart_charging_pb2.SmartChargingEvent(
            event_id=derived_id("boot", event.station_id, event.message_id),
            station_id=event.station_id,
            recorded_at=event.occurred_at,
            boot_seen=smart_charging_pb2.StationBootSeen(reason=event.station_booted.reason),
        )
    if which not in ("command_queued", "command_answered", "command_failed", "command_expired"):
        return None
    command = getattr(event, which).command
    if command.command not in PROFILE_COMMANDS:
        return None
    state = device_model_pb2.CommandState.Name(command.state).removeprefix("COMMAND_STATE_")
    if which == "command_queued":
        return smart_charging_pb2.SmartChargingEvent(
            event_id=derived_id("command", command.command_id, state),
            station_id=event.station_id,
            recorded_at=command.created_at if command.HasField("created_at") else event.occurred_at,
            requested=smart_charging_pb2.ProfileRequested(
                request_key=COMMAND_KEY_PREFIX + command.command_id,
                command=command.command,
                command_id=command.command_id,
                params_json=command.params_json,
            ),
        )
    return smart_charging_pb2.SmartChargingEvent(
        event_id=derived_id("command", command.command_id, state),
        station_id=event.station_id,
        recorded_at=event.occurred_at,
        command_outcome=smart_charging_pb2.CommandOutcome(
            command_id=command.command_id,
            command=command.command,
            state=state,
            result_json=command.result_json,
            failure=command.failure,
        ),
    )


def event_writes(event: smart_charging_pb2.SmartChargingEvent) -> list[Write]:
    if not event.event_id or not event.station_id:
        raise ValueError("smart-charging event without an event_id or station_id")
    recorded_at = to_datetime(event.recorded_at)
    blob = event.SerializeToString(deterministic=True)
    return [Write(INSERT, (event.station_id, recorded_at, event.event_id, blob, micros(recorded_at)))]


def writes(events: Sequence[Message], state: None) -> list[Write]:
    found: list[Write] = []
    for event in events:
        entry = view_entry(event) if isinstance(event, device_model_pb2.DeviceModelEvent) else event
        if isinstance(entry, smart_charging_pb2.SmartChargingEvent) and entry.WhichOneof("event") not in SITE_EVENTS:
            found += event_writes(entry)
    return found


PROJECTION: Projection[Message, None] = Projection(
    name="smart_charging.projector.view",
    event_types={
        TOPIC: smart_charging_pb2.SmartChargingEvent,
        DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent,
    },
    keyspace=KEYSPACE,
    tables=VIEW_TABLES,
    writes=writes,
)
