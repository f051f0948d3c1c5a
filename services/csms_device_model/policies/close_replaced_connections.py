"""When a station reconnected on another edge node, tell the old node to close the replaced connection.

Runs after the stations projection wrote a batch, on the same presence decisions (`domain.presence.changes`);
never during a rebuild. Network I/O through `ConnectionCloser` (`adapters.connection_closer`).
"""

from __future__ import annotations

from collections.abc import Sequence

from csms_device_model.domain.presence import changes
from csms_device_model.ports import ConnectionCloser
from csms_device_model.projections.stations import StationEvent, StationsView, frames


class CloseReplacedConnections:
    def __init__(self, closer: ConnectionCloser) -> None:
        self._closer = closer

    async def after_writes(self, events: Sequence[StationEvent], state: StationsView) -> None:
        for station_id, change in changes(state.presences, frames(events)):
            if change.close is not None:
                await self._closer.close(station_id, change.close)
