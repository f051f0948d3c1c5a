"""The `TokenStore`, `Outbox` and `LocalListStore` contracts: one suite each, run against the in-memory fakes
(unit) and Cassandra (integration). A subclass provides the `store` (and `outbox`) fixtures; keys carry the
`prefix` fixture so the suites can share a real table with other tests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.local_list_store import LocalListStore, StationListVersion
from csms_authorization.adapters.outbox import SHARDS, Outbox, PendingEvent, shard_of
from csms_authorization.adapters.store import InvalidPageToken
from csms_authorization.adapters.token_store import TokenStore
from csms_authorization.domain.tokens import TokenRecord, TokenStatus, TokenType
from kit.builders.authorization import a_token

T0 = datetime(2025, 3, 1, 12, 0, 0, 123000, tzinfo=UTC)  # millisecond precision, like a CQL timestamp


@pytest.fixture
def prefix() -> str:
    return f"T{uuid.uuid4().hex[:8].upper()}-"


def full_token(id_token: str) -> TokenRecord:
    return a_token(
        id_token,
        type=TokenType.MAC_ADDRESS,
        status=TokenStatus.EXPIRED,
        expires_at=T0 + timedelta(days=30),
        group_id_token="FLEET-1",
        station_ids=frozenset({"CS-1", "CS-ä"}),
        local_list=True,
        created_at=T0,
        updated_at=T0 + timedelta(seconds=1),
    )


REVISION = 1_740_830_400_123_000  # T0 in microseconds


def change(key: str, revision: int) -> PendingEvent:
    """An event of a change of the token with this key (its kind does not matter to the stores)."""
    event = pb.AuthorizationEvent(id_token_key=key, revision=revision, id_token_deleted=pb.IdTokenDeleted(id_token=key))
    return PendingEvent.of(event)


def ours(events: list[PendingEvent], prefix: str) -> list[PendingEvent]:
    return sorted(e for e in events if e.token_key.startswith(prefix))


class TokenStoreContract:
    """Needs fixtures `store` and `outbox`, the outbox the store queues its events in (empty at start)."""

    async def test_get_of_an_unknown_token_is_none(self, store: TokenStore, prefix: str) -> None:
        assert await store.get(f"{prefix}NOPE") is None

    async def test_a_saved_token_reads_back_equal_by_its_key(self, store: TokenStore, prefix: str) -> None:
        token = full_token(f"{prefix}abc")
        await store.save(token, change(token.key, REVISION))
        assert await store.get(f"{prefix}ABC") == token

    async def test_save_replaces_the_whole_token(self, store: TokenStore, prefix: str) -> None:
        await store.save(full_token(f"{prefix}A"), change(f"{prefix}A", REVISION))
        replacement = a_token(f"{prefix}a", created_at=T0, updated_at=T0 + timedelta(minutes=1))
        await store.save(replacement, change(f"{prefix}A", REVISION + 1))
        assert await store.get(f"{prefix}A") == replacement

    async def test_delete(self, store: TokenStore, prefix: str) -> None:
        await store.save(a_token(f"{prefix}A"), change(f"{prefix}A", REVISION))
        await store.save(a_token(f"{prefix}B"), change(f"{prefix}B", REVISION))
        await store.delete(f"{prefix}A", change(f"{prefix}A", REVISION + 1))
        await store.delete(f"{prefix}NEVER", change(f"{prefix}NEVER", REVISION + 1))
        assert await store.get(f"{prefix}A") is None
        assert await store.get(f"{prefix}B") == a_token(f"{prefix}B")

    async def test_of_changes_out_of_order_the_highest_revision_stays(self, store: TokenStore, prefix: str) -> None:
        newer, older = a_token(f"{prefix}A", status=TokenStatus.BLOCKED), a_token(f"{prefix}A")
        await store.save(newer, change(f"{prefix}A", REVISION + 2))
        await store.save(older, change(f"{prefix}A", REVISION + 1))
        assert await store.get(f"{prefix}A") == newer
        await store.delete(f"{prefix}A", change(f"{prefix}A", REVISION))
        assert await store.get(f"{prefix}A") == newer
        await store.delete(f"{prefix}A", change(f"{prefix}A", REVISION + 3))
        await store.save(older, change(f"{prefix}A", REVISION + 1))
        assert await store.get(f"{prefix}A") is None

    async def test_every_change_queues_its_event(self, store: TokenStore, outbox: Outbox, prefix: str) -> None:
        events = [change(f"{prefix}A", REVISION), change(f"{prefix}B", REVISION), change(f"{prefix}A", REVISION + 1)]
        await store.save(a_token(f"{prefix}A"), events[0])
        await store.save(a_token(f"{prefix}B"), events[1])
        await store.delete(f"{prefix}A", events[2])
        assert ours(await outbox.pending(1000), prefix) == sorted(events)

    @pytest.mark.parametrize("page_size", [1, 3, 7])
    async def test_paging_lists_every_token_exactly_once(self, store: TokenStore, prefix: str, page_size: int) -> None:
        mine = [f"{prefix}{i:02d}" for i in range(7)]
        for id_token in mine:
            await store.save(a_token(id_token), change(id_token, REVISION))
        seen: list[str] = []
        token: bytes | None = None
        for _ in range(10_000):
            page, token = await store.list_page(page_size, token)
            assert len(page) <= page_size
            seen += [t.id_token for t in page if t.id_token.startswith(prefix)]
            if token is None:
                break
        assert sorted(seen) == mine

    @pytest.mark.parametrize("token", [b"\xff\xfe", b"", b"a b", b"x" * 256])
    async def test_a_foreign_page_token_is_refused(self, store: TokenStore, token: bytes) -> None:
        with pytest.raises(InvalidPageToken):
            await store.list_page(10, token)


class OutboxContract:
    """Needs fixtures `store` and `outbox` as `TokenStoreContract`. The outbox may hold events of other tests
    of the class, at revisions from `REVISION` up."""

    async def test_events_wait_until_removed(self, store: TokenStore, outbox: Outbox, prefix: str) -> None:
        events = [change(f"{prefix}{i}", REVISION + i) for i in range(5)]
        for event in events:
            await store.delete(event.token_key, event)
        assert ours(await outbox.pending(1000), prefix) == sorted(events)
        await outbox.remove(events[1:3])
        await outbox.remove(events[1:2])
        assert ours(await outbox.pending(1000), prefix) == sorted([events[0], *events[3:]])
        await outbox.remove(events)
        assert ours(await outbox.pending(1000), prefix) == []

    async def test_pending_takes_the_lowest_revisions_of_every_shard(
        self, store: TokenStore, outbox: Outbox, prefix: str
    ) -> None:
        keys = [f"{prefix}{i}" for i in range(40)]
        shards = {shard_of(key) for key in keys}
        assert len(shards) == SHARDS  # 40 keys hit every shard
        events = [change(key, REVISION - 1_000_000 - i * 1000 - n) for i, key in enumerate(keys) for n in range(3)]
        for event in events:
            await store.delete(event.token_key, event)
        pending = await outbox.pending(2)  # below every other test's revisions: the lowest are ours
        by_shard = {s: sorted(e for e in events if e.shard == s) for s in shards}
        assert sorted(pending) == sorted(e for s in shards for e in by_shard[s][:2])


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
