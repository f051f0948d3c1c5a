"""The `ApiKeyStore` contract: one suite run against the in-memory fake (unit) and Cassandra (integration). A
subclass provides the `store` fixture. The real table may be shared with other tests running at the same time,
so listings only look at the keys a test made."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csms_api.domain.keys import ApiKey, InvalidKey, Scope, digest
from csms_api.ports import ApiKeyStore

T0 = datetime(2026, 12, 6, 12, 0, 0, 123000, tzinfo=UTC)  # millisecond precision, like a CQL timestamp


def a_key(**overrides: object) -> ApiKey:
    key_id = secrets.token_hex(8)
    fields: dict[str, object] = {
        "key_id": key_id,
        "name": "ops",
        "scope": Scope.OPERATE,
        "digest": digest(f"csms_{key_id}_secret"),
        "created_at": T0,
    }
    fields.update(overrides)
    return ApiKey(**fields)  # type: ignore[arg-type]


async def listed(store: ApiKeyStore, page_size: int, wanted: set[str]) -> list[str]:
    """The ids in `wanted`, from every page; checks each page's size and that pages continue in order."""
    ids: list[str] = []
    after: str | None = None
    for _ in range(100_000):
        keys, after = await store.list_page(page_size, after)
        assert len(keys) <= page_size
        ids += [key.key_id for key in keys if key.key_id in wanted]
        if after is None:
            return ids
    raise AssertionError("paging does not end")


class ApiKeyStoreContract:
    async def test_an_unknown_key_is_none(self, store: ApiKeyStore) -> None:
        assert await store.get(secrets.token_hex(8)) is None

    async def test_an_added_key_reads_back_equal(self, store: ApiKeyStore) -> None:
        key = a_key(name="billing export", scope=Scope.READ)
        assert await store.add(key) is True
        assert await store.get(key.key_id) == key

    async def test_adding_a_taken_id_changes_nothing(self, store: ApiKeyStore) -> None:
        key = a_key()
        await store.add(key)
        assert await store.add(replace(key, name="intruder", scope=Scope.ADMIN)) is False
        assert await store.get(key.key_id) == key

    async def test_a_revocation_is_stored(self, store: ApiKeyStore) -> None:
        key = a_key()
        await store.add(key)
        revoked = replace(key, revoked_at=T0 + timedelta(minutes=5))
        await store.set_revoked(revoked)
        assert await store.get(key.key_id) == revoked

    @pytest.mark.parametrize("page_size", [1, 2, 3, 7, 500])
    async def test_paging_lists_every_key_exactly_once(self, store: ApiKeyStore, page_size: int) -> None:
        keys = [a_key() for _ in range(7)]
        for key in keys:
            await store.add(key)
        ids = await listed(store, page_size, {key.key_id for key in keys})
        assert sorted(ids) == sorted(key.key_id for key in keys)

    @pytest.mark.parametrize("after", ["", "xyz", "0" * 15, "G" * 16, "'; DROP TABLE api_keys; --"])
    async def test_a_malformed_position_is_refused(self, store: ApiKeyStore, after: str) -> None:
        with pytest.raises(InvalidKey):
            await store.list_page(10, after)
