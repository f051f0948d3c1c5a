"""The `TokenStore` contract, run against the in-memory fake (unit) and Cassandra (integration), and what the
authorization store contracts share: a subclass provides the `store` (and `outbox`) fixtures; keys carry the
`prefix` fixture so the suites can share a real table with other tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import InvalidPageToken
from csms_authorization.domain.tokens import TokenRecord, TokenStatus, TokenType
from csms_authorization.ports import PendingEvent, TokenStore
from csms_kernel.outbox.relay import Outbox
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
    return PendingEvent.of(key, revision, event)


def ours(events: list[PendingEvent], prefix: str) -> list[PendingEvent]:
    return sorted(e for e in events if e.key.startswith(prefix))


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

    async def test_every_change_queues_its_event(
        self, store: TokenStore, outbox: Outbox[PendingEvent], prefix: str
    ) -> None:
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
