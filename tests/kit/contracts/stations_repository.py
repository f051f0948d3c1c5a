"""The `StationsRepository` contract (csms_device_model.adapters.repository), run against the in-memory fake
(unit) and Cassandra (integration), for what holds without projected rows: an unknown station has no presence,
no row and no registration, and page tokens the repository did not issue are refused. Not covered: reads of
projected rows (the fake serves canned rows). A subclass provides the `repository` fixture."""

from __future__ import annotations

import uuid

import pytest

from csms_device_model.ports import StationsRepository


class StationsRepositoryContract:
    async def test_an_unknown_station_has_no_presence_and_no_row(self, repository: StationsRepository) -> None:
        station_id = f"CS-{uuid.uuid4().hex[:12]}"
        found = (
            await repository.presence(station_id),
            await repository.station(station_id),
            await repository.registration(station_id),
        )
        assert found == (None, None, None)

    @pytest.mark.parametrize("token", ["%%%", "bm90IGlzc3VlZA"])
    async def test_a_page_token_it_did_not_issue_is_refused(self, repository: StationsRepository, token: str) -> None:
        with pytest.raises(ValueError, match="invalid page token"):
            await repository.stations(10, token)
