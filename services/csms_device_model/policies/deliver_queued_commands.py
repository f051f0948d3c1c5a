"""When a station is connected and accepted (or Pending: the CSMS may configure it then, docs/adr/0031), deliver
the commands queued for it: after the stations projection wrote a batch, for every station whose boot was answered
Accepted or Pending and every station that connected (whose last boot was: the delivery checks it,
`OperatorCommands.drain`).

The projector's consumer group spreads the stations' partitions over the device-model instances, so the instance
that projects a station's frames or events triggers its delivery; the delivery runs in the background, never
holding up the projection, and never during a rebuild. No I/O of its own (`QueuedDeliveries`).
"""

from __future__ import annotations

from collections.abc import Sequence

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.presence import changes
from csms_device_model.domain.provisioning import may_receive_queued
from csms_device_model.ports import QueuedDeliveries
from csms_device_model.projections.stations import StationEvent, StationsView, frames


def stations_to_deliver(events: Sequence[StationEvent], state: StationsView) -> list[str]:
    """The stations of the batch that booted and were accepted or set Pending, or connected, in the order they
    did."""
    booted = [
        event.station_id
        for event in events
        if isinstance(event, device_model_pb2.DeviceModelEvent)
        and event.WhichOneof("event") == "station_booted"
        and may_receive_queued(event.station_booted.registration_status)
    ]
    connected = [station_id for station_id, change in changes(state.presences, frames(events)) if change.new.connected]
    return list(dict.fromkeys([*connected, *booted]))


class DeliverQueuedCommands:
    def __init__(self, deliveries: QueuedDeliveries) -> None:
        self._deliveries = deliveries

    async def after_writes(self, events: Sequence[StationEvent], state: StationsView) -> None:
        for station_id in stations_to_deliver(events, state):
            self._deliveries.trigger(station_id)
