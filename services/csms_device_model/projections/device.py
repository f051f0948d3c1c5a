"""The device read models fed by device-model events (inventory, reports, monitoring, station events, display
messages, data transfers, boot history): a batch of DeviceModelEvents → CQL writes, each event kind mapped by the
writer registered for it in `WRITERS` (one module per read model in this package owns its statements and tables).
Pure; no I/O. `PROJECTION` declares it: group `device_model.projector.device`, topic `csms.device_model.events.v1`.
Events of kinds without a writer (connector status is the stations projection's) write nothing; a boot feeds both
(the stations projection keeps the last one, this one the history).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from csms.device_model.v1 import device_model_pb2
from csms_device_model.projections import boots
from csms_kernel.infra import topics
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write

Writer = Callable[[device_model_pb2.DeviceModelEvent], list[Write]]

WRITERS: dict[str, Writer] = {
    "station_booted": boots.from_event,
}
"""The DeviceModelEvent `event` oneof name → the writer of its read model."""

TABLES: tuple[str, ...] = (boots.TABLE,)
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
