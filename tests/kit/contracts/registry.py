"""The `StationRegistryRepository` contract: one suite run against the in-memory fake (unit) and Cassandra
(integration). A subclass provides the `registry` fixture and the `outbox` the registry queues its events in
(a table of the test module's own in Cassandra). The real tables are shared with other tests running at the
same time, so station ids and groups carry the `run` fixture and only those are looked at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import InvalidPageToken
from csms_authorization.domain.credentials import PasswordHash
from csms_authorization.domain.stations import Change, StationRecord
from csms_authorization.ports import PendingEvent, StationRegistryRepository
from csms_kernel.outbox.relay import Outbox

T0 = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)  # millisecond precision, like a CQL timestamp
REVISION = 1_740_830_400_123_000  # T0 in microseconds


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


def an_event(station_id: str, revision: int, change: pb.StationChange.ValueType) -> PendingEvent:
    message = pb.StationCredentialsChanged(station_id=station_id, revision=revision, changes=[change])
    return PendingEvent.of(station_id, revision, message)


async def list_all(
    registry: StationRegistryRepository, page_size: int, run: str, group: str | None = None
) -> list[str]:
    """The ids carrying `run`, from every page; checks each page's size."""
    ids: list[str] = []
    token: bytes | None = None
    for _ in range(100_000):
        records, token = await registry.list_page(page_size, token, group)
        assert len(records) <= page_size
        ids += [r.station_id for r in records if r.station_id.endswith(run)]
        if token is None:
            return ids
    raise AssertionError("paging does not end")


async def waiting(outbox: Outbox, run: str) -> list[PendingEvent]:
    return sorted(e for e in await outbox.pending(1000) if e.key.endswith(run))


class StationRegistryContract:
    async def test_get_of_an_unknown_station_is_none(self, registry: StationRegistryRepository, run: str) -> None:
        assert await registry.get(f"CP-unknown-{run}") is None

    async def test_saved_record_reads_back_equal(self, registry: StationRegistryRepository, run: str) -> None:
        record = a_record(f"CP-ä/1-{run}", security_profile=2)
        await registry.save(record, REVISION)
        assert await registry.get(f"CP-ä/1-{run}") == record

    async def test_a_disabled_station_reads_back_disabled(self, registry: StationRegistryRepository, run: str) -> None:
        record = a_record(f"CP-1-{run}", enabled=False)
        await registry.save(record, REVISION)
        assert await registry.get(f"CP-1-{run}") == record

    async def test_save_replaces_the_whole_record(self, registry: StationRegistryRepository, run: str) -> None:
        await registry.save(a_record(f"CP-1-{run}"), REVISION)
        replacement = a_record(
            f"CP-1-{run}",
            password=PasswordHash(digest=b"\x03" * 32, salt=b"\x04" * 16),
            security_profile=3,
            updated_at=T0 + timedelta(minutes=5),
            enabled=False,
        )
        await registry.save(replacement, REVISION + 1)
        assert await registry.get(f"CP-1-{run}") == replacement

    async def test_a_change_older_than_the_stored_one_is_shadowed(
        self, registry: StationRegistryRepository, run: str
    ) -> None:
        newer = a_record(f"CP-1-{run}", security_profile=3)
        await registry.save(newer, REVISION + 10)
        await registry.save(a_record(f"CP-1-{run}", security_profile=2), REVISION + 5)
        assert await registry.get(f"CP-1-{run}") == newer

    async def test_pending_credentials_read_back_equal(self, registry: StationRegistryRepository, run: str) -> None:
        record = a_record(
            f"CP-1-{run}",
            pending_password=PasswordHash(digest=b"\x05" * 32, salt=b"\x06" * 16),
            pending_security_profile=3,
            pending_revision=REVISION - 7,
        )
        await registry.save(record, REVISION)
        assert await registry.get(f"CP-1-{run}") == record

    async def test_a_profile_3_station_without_a_password_reads_back_equal(
        self, registry: StationRegistryRepository, run: str
    ) -> None:
        record = a_record(f"CP-1-{run}", password=None, security_profile=3)
        await registry.save(record, REVISION)
        assert await registry.get(f"CP-1-{run}") == record

    async def test_a_promotion_is_claimed_once(self, registry: StationRegistryRepository, run: str) -> None:
        station_id = f"CP-1-{run}"
        assert await registry.claim_promotion(station_id, REVISION, Change.PASSWORD_ROTATED)
        assert not await registry.claim_promotion(station_id, REVISION, Change.PASSWORD_ROTATED)
        assert await registry.claim_promotion(station_id, REVISION, Change.SECURITY_PROFILE_UPGRADED)
        assert await registry.claim_promotion(station_id, REVISION + 1, Change.PASSWORD_ROTATED)
        assert await registry.claim_promotion(f"CP-2-{run}", REVISION, Change.PASSWORD_ROTATED)

    async def test_a_promotion_writes_only_its_fields_with_its_events(
        self, registry: StationRegistryRepository, outbox: Outbox, run: str
    ) -> None:
        station_id = f"CP-1-{run}"
        new = PasswordHash(digest=b"\x05" * 32, salt=b"\x06" * 16)
        await registry.save(
            a_record(station_id, pending_password=new, pending_security_profile=2, pending_revision=REVISION),
            REVISION,
        )
        # another change (disabling) after the verification read the record: the promotion keeps it
        await registry.save(
            a_record(
                station_id, enabled=False, pending_password=new, pending_security_profile=2, pending_revision=REVISION
            ),
            REVISION + 1,
        )
        rotated = an_event(station_id, REVISION + 2, pb.STATION_CHANGE_PASSWORD_ROTATED)
        promoted = a_record(
            station_id,
            password=new,
            pending_security_profile=2,
            pending_revision=REVISION,
            updated_at=T0 + timedelta(minutes=1),
        )
        await registry.promote(promoted, [Change.PASSWORD_ROTATED], REVISION + 2, rotated, [])
        assert await registry.get(station_id) == a_record(
            station_id,
            password=new,
            enabled=False,
            pending_security_profile=2,
            pending_revision=REVISION,
            updated_at=T0 + timedelta(minutes=1),
        )
        assert await waiting(outbox, run) == [rotated]
        await outbox.remove([rotated])

    async def test_a_promotion_racing_a_deletion_leaves_the_station_deleted(
        self, registry: StationRegistryRepository, outbox: Outbox, run: str
    ) -> None:
        station_id = f"CP-1-{run}"
        await registry.save(a_record(station_id, pending_security_profile=2), REVISION)
        deleted = an_event(station_id, REVISION + 1, pb.STATION_CHANGE_DELETED)
        await registry.delete(station_id, deleted)
        upgraded = an_event(station_id, REVISION + 2, pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED)
        promoted = a_record(station_id, security_profile=2, updated_at=T0 + timedelta(minutes=1))
        await registry.promote(promoted, [Change.SECURITY_PROFILE_UPGRADED], REVISION + 2, upgraded, [])
        assert await registry.get(station_id) is None
        assert [r.station_id for r in (await registry.list_page(1000, None))[0] if r.station_id == station_id] == []
        await outbox.remove([deleted, upgraded])

    async def test_stations_are_independent(self, registry: StationRegistryRepository, run: str) -> None:
        await registry.save(a_record(f"CP-1-{run}", security_profile=1), REVISION)
        await registry.save(a_record(f"CP-2-{run}", security_profile=2), REVISION)
        first, second = await registry.get(f"CP-1-{run}"), await registry.get(f"CP-2-{run}")
        assert first is not None and first.security_profile == 1
        assert second is not None and second.security_profile == 2

    async def test_a_change_and_its_event_are_stored_together(
        self, registry: StationRegistryRepository, outbox: Outbox, run: str
    ) -> None:
        station_id = f"CP-1-{run}"
        registered = an_event(station_id, REVISION, pb.STATION_CHANGE_REGISTERED)
        disabled = an_event(station_id, REVISION + 1, pb.STATION_CHANGE_DISABLED)
        await registry.save(a_record(station_id), REVISION, registered)
        await registry.save(a_record(station_id, enabled=False), REVISION + 1, disabled)
        assert await waiting(outbox, run) == [registered, disabled]
        stored = await registry.get(station_id)
        assert stored is not None and not stored.enabled
        await outbox.remove([registered, disabled])
        assert await waiting(outbox, run) == []

    async def test_delete_removes_the_station_and_its_group_and_queues_the_event(
        self, registry: StationRegistryRepository, outbox: Outbox, run: str
    ) -> None:
        station_id, other, site = f"CP-1-{run}", f"CP-2-{run}", f"site-{run}"
        for s in (station_id, other):
            await registry.save(a_record(s), REVISION)
            await registry.set_group(s, site, REVISION)
        deleted = an_event(station_id, REVISION + 1, pb.STATION_CHANGE_DELETED)
        await registry.delete(station_id, deleted)
        assert await registry.get(station_id) is None
        assert await registry.groups([station_id, other]) == {other: site}
        assert await registry.stations_in_group(site) == [other]
        assert await waiting(outbox, run) == [deleted]
        await outbox.remove([deleted])

    async def test_a_station_registered_again_after_its_deletion_is_back(
        self, registry: StationRegistryRepository, outbox: Outbox, run: str
    ) -> None:
        station_id = f"CP-1-{run}"
        await registry.save(a_record(station_id), REVISION)
        deleted = an_event(station_id, REVISION + 1, pb.STATION_CHANGE_DELETED)
        await registry.delete(station_id, deleted)
        again = a_record(station_id, security_profile=2)
        await registry.save(again, REVISION + 2)
        assert await registry.get(station_id) == again
        await outbox.remove([deleted])

    @pytest.mark.parametrize("page_size", [1, 2, 3, 7, 1000])
    async def test_paging_lists_every_station_exactly_once(
        self, registry: StationRegistryRepository, run: str, page_size: int
    ) -> None:
        ids = [f"CP-{i:02d}-{run}" for i in range(7)]
        for station_id in ids:
            await registry.save(a_record(station_id), REVISION)
        assert sorted(await list_all(registry, page_size, run)) == ids

    @pytest.mark.parametrize("page_size", [1, 2, 3, 1000])
    async def test_a_group_lists_its_stations_in_id_order(
        self, registry: StationRegistryRepository, run: str, page_size: int
    ) -> None:
        site_a, site_b = f"site-a-{run}", f"site-b-{run}"
        ids = [f"CP-{i:02d}-{run}" for i in range(6)]
        for i, station_id in enumerate(ids):
            await registry.save(a_record(station_id, security_profile=1 + i % 3), REVISION)
            await registry.set_group(station_id, site_a if i % 2 == 0 else site_b, REVISION)
        assert await list_all(registry, page_size, run, site_a) == ids[0::2]
        assert await list_all(registry, page_size, run, site_b) == ids[1::2]
        assert await list_all(registry, page_size, run, f"site-none-{run}") == []
        records, _ = await registry.list_page(1000, None, site_b)
        assert [r.security_profile for r in records] == [2, 1, 3]

    @pytest.mark.parametrize("token", [b"\xff\xfe", b"", b"a:b", b"x" * 49])
    async def test_a_foreign_page_token_is_refused(self, registry: StationRegistryRepository, token: bytes) -> None:
        with pytest.raises(InvalidPageToken):
            await registry.list_page(10, token)
        with pytest.raises(InvalidPageToken):
            await registry.list_page(10, token, "site")

    async def test_groups_are_set_moved_and_left(self, registry: StationRegistryRepository, run: str) -> None:
        site_a, site_b = f"site-a-{run}", f"site-b-{run}"
        cp1, cp2, cp3, cp9 = (f"CP-{i}-{run}" for i in (1, 2, 3, 9))
        for station_id in (cp1, cp2, cp3):
            await registry.save(a_record(station_id), REVISION)
        await registry.set_group(cp2, site_a, REVISION)
        await registry.set_group(cp1, site_a, REVISION)
        await registry.set_group(cp3, site_b, REVISION)
        assert await registry.stations_in_group(site_a) == [cp1, cp2]
        await registry.set_group(cp2, site_b, REVISION + 1)
        await registry.set_group(cp3, None, REVISION + 1)
        await registry.set_group(cp3, None, REVISION + 2)
        assert await registry.stations_in_group(site_a) == [cp1]
        assert await registry.stations_in_group(site_b) == [cp2]
        assert await registry.groups([cp1, cp2, cp3, cp9]) == {cp1: site_a, cp2: site_b}
        assert await registry.groups([]) == {}
