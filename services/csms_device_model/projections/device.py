"""The device read models fed by device-model events (inventory, reports, monitoring, station events, display
messages, data transfers, boot history): a batch of DeviceModelEvents → CQL writes, each event kind mapped by the
writer registered for it in `WRITERS` (one module per read model in this package owns its statements and tables).
Pure; no I/O. `PROJECTION` declares it: group `device_model.projector.device`, topic `csms.device_model.events.v1`.
Events of kinds without a writer (connector status is the stations projection's) write nothing; a boot feeds both
(the stations projection keeps the last one, this one the history).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from csms.device_model.v1 import device_model_pb2
from csms_device_model.projections import (
    boots,
    customer_information,
    data_transfers,
    display_messages,
    inventory,
    monitors,
    periodic_streams,
    station_events,
)
from csms_kernel.infra import topics
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write

Writer = Callable[[device_model_pb2.DeviceModelEvent], list[Write]]


@dataclass(frozen=True)
class Chain:
    """One writer for an event kind several read models need (e.g. command_answered): the writes of each, in order."""

    writers: tuple[Writer, ...]

    def __call__(self, event: device_model_pb2.DeviceModelEvent) -> list[Write]:
        return [write for writer in self.writers for write in writer(event)]


def chain(*writers: Writer) -> Chain:
    return Chain(writers)


WRITERS: dict[str, Writer] = {
    "station_booted": boots.from_event,
    "periodic_stream_opened": periodic_streams.from_event,
    "periodic_stream_closed": periodic_streams.from_event,
    "periodic_stream_data_received": periodic_streams.from_event,
    "display_messages_reported": display_messages.from_event,
    "data_transfer_received": data_transfers.from_event,
    "report_part_received": inventory.from_report_part,
    "command_sent": chain(inventory.from_command_event, data_transfers.from_command_event),
    "station_event_reported": station_events.from_event,
    "monitoring_report_part_received": monitors.from_report_part,
    "customer_information_part_received": customer_information.from_event,
    "command_answered": chain(
        inventory.from_command_event,
        monitors.from_command_answered,
        display_messages.from_command_answered,
        data_transfers.from_command_event,
    ),
    "command_failed": chain(inventory.from_command_event, data_transfers.from_command_event),
    "command_expired": inventory.from_command_event,
}
"""The DeviceModelEvent `event` oneof name → the writer of its read model."""

TABLES: tuple[str, ...] = (
    *periodic_streams.TABLES,
    *display_messages.TABLES,
    *data_transfers.TABLES,
    *inventory.TABLES,
    boots.TABLE,
    *station_events.TABLES,
    *monitors.TABLES,
    *customer_information.TABLES,
)
"""The tables of the read models above (what a rebuild truncates)."""


def writes(events: Sequence[device_model_pb2.DeviceModelEvent], _state: None) -> list[Write]:
    out: list[Write] = []
    for event in events:
        writer = WRITERS.get(event.WhichOneof("event") or "")
        if writer is not None:
            out += writer(event)
    return out


PROJECTION = Projection[device_model_pb2.DeviceModelEvent, None](
    name="device_model.projector.device",
    event_types={topics.DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent},
    keyspace="csms_device_model",
    tables=TABLES,
    writes=writes,
)
