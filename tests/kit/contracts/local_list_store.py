"""The `LocalListStore` contract, run against the in-memory fake (unit) and Cassandra (integration); a
subclass provides the `store` fixture, a list of its own."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from csms_authorization.domain.tokens import TokenStatus
from csms_authorization.ports import LocalListStore, StationListVersion
from kit.builders.authorization import a_token
from kit.contracts.token_store import T0, full_token


class LocalListStoreContract:
    async def test_a_new_list_is_empty_at_version_0(self, store: LocalListStore) -> None:
        snapshot = await store.snapshot()
        assert (snapshot.version, snapshot.entries) == (0, [])

    async def test_changes_get_successive_versions_and_removals_stay(self, store: LocalListStore, prefix: str) -> None:
        a, b = full_token(f"{prefix}a"), a_token(f"{prefix}B", local_list=True)
        assert await store.record_change(a, True) == 1
        assert await store.record_change(b, True) == 2
        blocked = a_token(f"{prefix}a", status=TokenStatus.BLOCKED)
        assert await store.record_change(blocked, False) == 3
        snapshot = await store.snapshot()
        assert snapshot.version == 3
        by_key = {e.token.key: e for e in snapshot.entries}
        assert (by_key[f"{prefix}A"].changed_in, by_key[f"{prefix}A"].removed, by_key[f"{prefix}A"].token) == (
            3,
            True,
            blocked,
        )
        assert (by_key[f"{prefix}B"].changed_in, by_key[f"{prefix}B"].removed, by_key[f"{prefix}B"].token) == (
            2,
            False,
            b,
        )
        assert await store.record_change(a, True) == 4
        entry = next(e for e in (await store.snapshot()).entries if e.token.key == f"{prefix}A")
        assert (entry.changed_in, entry.removed, entry.token) == (4, False, a)

    async def test_concurrent_changes_never_share_a_version(self, store: LocalListStore, prefix: str) -> None:
        tokens = [a_token(f"{prefix}{i}", local_list=True) for i in range(8)]
        versions = await asyncio.gather(*(store.record_change(t, True) for t in tokens))
        assert sorted(versions) == list(range(1, 9))
        snapshot = await store.snapshot()
        assert snapshot.version == 8
        assert sorted(e.changed_in for e in snapshot.entries) == list(range(1, 9))

    async def test_station_versions(self, store: LocalListStore, prefix: str) -> None:
        assert await store.station_version(f"{prefix}CS") is None
        await store.record_station_version(f"{prefix}CS", 3, T0)
        await store.record_station_version(f"{prefix}CS", 5, T0 + timedelta(seconds=1))
        assert await store.station_version(f"{prefix}CS") == StationListVersion(5, T0 + timedelta(seconds=1))
