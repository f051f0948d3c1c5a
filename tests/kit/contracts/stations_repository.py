"""The `StationsRepository` contract (csms_device_model.adapters.repository), run against the in-memory fake
(unit) and Cassandra (integration), for presence: written by `apply` (the projector's presence writes) and read
by `presence`. Not covered while the projections are reworked: `station`/`stations` of projected boots and
connector statuses (the fake serves canned rows). A subclass provides the `repository` fixture; station ids
are unique per test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from csms_device_model.adapters.repository import StationsRepository
from csms_device_model.domain.presence import Presence, PresenceChange
from csms_device_model.projections.stations import presence

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ONLINE = Presence(True, "edge-1", "conn-1", "10.0.0.1:9100", "ocpp2.0.1")
MOVED = Presence(True, "edge-2", "conn-2", "10.0.0.2:9100", "ocpp2.0.1")
OFFLINE = Presence(False, "edge-2", "conn-2", "10.0.0.2:9100", "ocpp2.0.1")


def a_station() -> str:
    return f"CS-{uuid.uuid4().hex[:12]}"


class StationsRepositoryContract:
    async def test_an_unknown_station_has_no_presence_and_no_row(self, repository: StationsRepository) -> None:
        station_id = a_station()
        assert (await repository.presence(station_id), await repository.station(station_id)) == (None, None)

    async def test_a_presence_reads_back_equal(self, repository: StationsRepository) -> None:
        station_id = a_station()
        await repository.apply([presence(station_id, PresenceChange(ONLINE, T0, None))])
        assert await repository.presence(station_id) == ONLINE

    async def test_the_latest_presence_wins_in_any_order(self, repository: StationsRepository) -> None:
        station_id, later = a_station(), T0 + timedelta(seconds=1)
        await repository.apply([presence(station_id, PresenceChange(OFFLINE, later + timedelta(seconds=1), None))])
        await repository.apply([presence(station_id, PresenceChange(MOVED, later, None))])
        assert await repository.presence(station_id) == OFFLINE

    async def test_stations_are_independent(self, repository: StationsRepository) -> None:
        one, two = a_station(), a_station()
        await repository.apply(
            [presence(one, PresenceChange(ONLINE, T0, None)), presence(two, PresenceChange(MOVED, T0, None))]
        )
        assert [await repository.presence(one), await repository.presence(two)] == [ONLINE, MOVED]
