"""The `StationRegistryRepository` contract: one suite run against the in-memory fake (unit) and Cassandra
(integration). A subclass provides the `registry` fixture. The real tables are shared with other tests running
at the same time, so station ids and groups carry the `run` fixture and only those are looked at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms_authorization.adapters.store import InvalidPageToken
from csms_authorization.domain.credentials import PasswordHash
from csms_authorization.ports import StationRecord, StationRegistryRepository

T0 = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)  # millisecond precision, like a CQL timestamp


@pytest.fixture
def run() -> str:
    return uuid.uuid4().hex[:8]


def a_record(station_id: str, **overrides: object) -> StationRecord:
    fields: dict[str, object] = {
        "station_id": station_id,
        "password": PasswordHash(digest=b"\x01" * 32, salt=b"\x02" * 16),
        "security_profile": 1,
        "created_at": T0,
        "updated_at": T0,
    }
    fields.update(overrides)
    return StationRecord(**fields)  # type: ignore[arg-type]


async def list_all(registry: StationRegistryRepository, page_size: int, run: str) -> list[str]:
    """The ids carrying `run`, from every page; checks each page's size."""
    ids: list[str] = []
    token: bytes | None = None
    for _ in range(100_000):
        records, token = await registry.list_page(page_size, token)
        assert len(records) <= page_size
        ids += [r.station_id for r in records if r.station_id.endswith(run)]
        if token is None:
            return ids
    raise AssertionError("paging does not end")


class StationRegistryContract:
    async def test_get_of_an_unknown_station_is_none(self, registry: StationRegistryRepository, run: str) -> None:
        assert await registry.get(f"CP-unknown-{run}") is None

    async def test_saved_record_reads_back_equal(self, registry: StationRegistryRepository, run: str) -> None:
        record = a_record(f"CP-ä/1-{run}", security_profile=2)
        await registry.save(record)
        assert await registry.get(f"CP-ä/1-{run}") == record

    async def test_save_replaces_the_whole_record(self, registry: StationRegistryRepository, run: str) -> None:
        await registry.save(a_record(f"CP-1-{run}"))
        replacement = a_record(
            f"CP-1-{run}",
            password=PasswordHash(digest=b"\x03" * 32, salt=b"\x04" * 16),
            security_profile=3,
            updated_at=T0 + timedelta(minutes=5),
        )
        await registry.save(replacement)
        assert await registry.get(f"CP-1-{run}") == replacement

    async def test_stations_are_independent(self, registry: StationRegistryRepository, run: str) -> None:
        await registry.save(a_record(f"CP-1-{run}", security_profile=1))
        await registry.save(a_record(f"CP-2-{run}", security_profile=2))
        first, second = await registry.get(f"CP-1-{run}"), await registry.get(f"CP-2-{run}")
        assert first is not None and first.security_profile == 1
        assert second is not None and second.security_profile == 2

    @pytest.mark.parametrize("page_size", [1, 2, 3, 7, 1000])
    async def test_paging_lists_every_station_exactly_once(
        self, registry: StationRegistryRepository, run: str, page_size: int
    ) -> None:
        ids = [f"CP-{i:02d}-{run}" for i in range(7)]
        for station_id in ids:
            await registry.save(a_record(station_id))
        assert sorted(await list_all(registry, page_size, run)) == ids

    @pytest.mark.parametrize("token", [b"\xff\xfe", b"", b"a:b", b"x" * 49])
    async def test_a_foreign_page_token_is_refused(self, registry: StationRegistryRepository, token: bytes) -> None:
        with pytest.raises(InvalidPageToken):
            await registry.list_page(10, token)

    async def test_groups_are_set_moved_and_left(self, registry: StationRegistryRepository, run: str) -> None:
        site_a, site_b = f"site-a-{run}", f"site-b-{run}"
        cp1, cp2, cp3, cp9 = (f"CP-{i}-{run}" for i in (1, 2, 3, 9))
        for station_id in (cp1, cp2, cp3):
            await registry.save(a_record(station_id))
        await registry.set_group(cp2, site_a)
        await registry.set_group(cp1, site_a)
        await registry.set_group(cp3, site_b)
        assert await registry.stations_in_group(site_a) == [cp1, cp2]
        await registry.set_group(cp2, site_b)
        await registry.set_group(cp3, None)
        await registry.set_group(cp3, None)
        assert await registry.stations_in_group(site_a) == [cp1]
        assert await registry.stations_in_group(site_b) == [cp2]
        assert await registry.groups([cp1, cp2, cp3, cp9]) == {cp1: site_a, cp2: site_b}
        assert await registry.groups([]) == {}
