"""The `StationRegistryRepository` contract: one suite run against the in-memory fake (unit) and Cassandra
(integration). A subclass provides the `registry` fixture, empty at the start of each test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from authorization.credentials import PasswordHash
from authorization.registry import InvalidPageToken, StationRecord, StationRegistryRepository

T0 = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)  # millisecond precision, like a CQL timestamp


def a_record(station_id: str = "CP-1", **overrides: object) -> StationRecord:
    fields: dict[str, object] = {
        "station_id": station_id,
        "password": PasswordHash(digest=b"\x01" * 32, salt=b"\x02" * 16),
        "security_profile": 1,
        "created_at": T0,
        "updated_at": T0,
    }
    fields.update(overrides)
    return StationRecord(**fields)  # type: ignore[arg-type]


async def list_all(registry: StationRegistryRepository, page_size: int) -> list[list[str]]:
    pages: list[list[str]] = []
    token: bytes | None = None
    while True:
        records, token = await registry.list_page(page_size, token)
        pages.append([r.station_id for r in records])
        if token is None:
            return pages
        assert len(pages) < 100, "paging does not end"


class StationRegistryContract:
    async def test_get_of_an_unknown_station_is_none(self, registry: StationRegistryRepository) -> None:
        assert await registry.get("CP-unknown") is None

    async def test_saved_record_reads_back_equal(self, registry: StationRegistryRepository) -> None:
        record = a_record("CP-ä/1", security_profile=2)
        await registry.save(record)
        assert await registry.get("CP-ä/1") == record

    async def test_save_replaces_the_whole_record(self, registry: StationRegistryRepository) -> None:
        await registry.save(a_record("CP-1"))
        replacement = a_record(
            "CP-1",
            password=PasswordHash(digest=b"\x03" * 32, salt=b"\x04" * 16),
            security_profile=3,
            updated_at=T0 + timedelta(minutes=5),
        )
        await registry.save(replacement)
        assert await registry.get("CP-1") == replacement

    async def test_stations_are_independent(self, registry: StationRegistryRepository) -> None:
        await registry.save(a_record("CP-1", security_profile=1))
        await registry.save(a_record("CP-2", security_profile=2))
        first, second = await registry.get("CP-1"), await registry.get("CP-2")
        assert first is not None and first.security_profile == 1
        assert second is not None and second.security_profile == 2

    async def test_an_empty_registry_lists_one_empty_page(self, registry: StationRegistryRepository) -> None:
        assert await registry.list_page(10, None) == ([], None)

    async def test_one_page_holds_everything_when_it_is_big_enough(self, registry: StationRegistryRepository) -> None:
        for i in range(3):
            await registry.save(a_record(f"CP-{i}"))
        records, token = await registry.list_page(10, None)
        assert sorted(r.station_id for r in records) == ["CP-0", "CP-1", "CP-2"]
        assert token is None
        assert {r.station_id: r for r in records}["CP-1"] == a_record("CP-1")

    @pytest.mark.parametrize("page_size", [1, 2, 3, 7])
    async def test_paging_lists_every_station_exactly_once(
        self, registry: StationRegistryRepository, page_size: int
    ) -> None:
        ids = [f"CP-{i:02d}" for i in range(7)]
        for station_id in ids:
            await registry.save(a_record(station_id))
        pages = await list_all(registry, page_size)
        assert all(len(page) <= page_size for page in pages)
        assert all(pages[:-1]), "only the last page may be empty"
        assert sorted(s for page in pages for s in page) == ids

    @pytest.mark.parametrize("token", [b"\xff\xfe", b"", b"a:b", b"x" * 49])
    async def test_a_foreign_page_token_is_refused(self, registry: StationRegistryRepository, token: bytes) -> None:
        with pytest.raises(InvalidPageToken):
            await registry.list_page(10, token)

    async def test_groups_are_set_moved_and_left(self, registry: StationRegistryRepository) -> None:
        run = uuid.uuid4().hex[:6]
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
