"""The `Outbox` contract, run against the in-memory fake (unit) and Cassandra (integration). The token store
queues the events (`TokenStore.delete` with an event), so a subclass provides `store` and `outbox` fixtures."""

from __future__ import annotations

from csms_authorization.ports import SHARDS, PendingEvent, TokenStore, shard_of
from csms_kernel.outbox.relay import Outbox
from kit.contracts.token_store import REVISION, change, ours


class OutboxContract:
    """Needs fixtures `store` and `outbox` as `TokenStoreContract`. The outbox may hold events of other tests
    of the class, at revisions from `REVISION` up."""

    async def test_events_wait_until_removed(
        self, store: TokenStore, outbox: Outbox[PendingEvent], prefix: str
    ) -> None:
        events = [change(f"{prefix}{i}", REVISION + i) for i in range(5)]
        for event in events:
            await store.delete(event.key, event)
        assert ours(await outbox.pending(1000), prefix) == sorted(events)
        await outbox.remove(events[1:3])
        await outbox.remove(events[1:2])
        assert ours(await outbox.pending(1000), prefix) == sorted([events[0], *events[3:]])
        await outbox.remove(events)
        assert ours(await outbox.pending(1000), prefix) == []

    async def test_pending_takes_the_lowest_revisions_of_every_shard(
        self, store: TokenStore, outbox: Outbox[PendingEvent], prefix: str
    ) -> None:
        keys = [f"{prefix}{i}" for i in range(40)]
        shards = {shard_of(key) for key in keys}
        assert len(shards) == SHARDS  # 40 keys hit every shard
        events = [change(key, REVISION - 1_000_000 - i * 1000 - n) for i, key in enumerate(keys) for n in range(3)]
        for event in events:
            await store.delete(event.key, event)
        pending = await outbox.pending(2)  # below every other test's revisions: the lowest are ours
        by_shard = {s: sorted(e for e in events if e.shard == s) for s in shards}
        assert sorted(pending) == sorted(e for s in shards for e in by_shard[s][:2])
