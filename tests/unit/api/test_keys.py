"""API keys: the key format, the digest check, the scope order, and `ApiKeys` (create once, revoke, the
verification cache that bounds how long a revoked key still works)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from csms_api.app.keys import ApiKeys
from csms_api.domain.keys import ApiKey, InvalidKey, Scope, digest, key_id_of, new_key
from kit.fakes.api import InMemoryApiKeyStore

NOW = datetime(2026, 12, 6, 12, 0, 0, 123456, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def test_a_new_key_names_its_id_and_carries_256_random_bits() -> None:
    key_id, key = new_key()
    prefix, found_id, secret = key.split("_", 2)
    assert (prefix, found_id, key_id_of(key)) == ("csms", key_id, key_id)
    assert len(key_id) == 16 and len(secret) == 43  # 32 bytes in URL-safe base64
    assert new_key() != new_key()


@pytest.mark.parametrize(
    "text",
    ["", "csms_", "Bearer csms_0123456789abcdef_" + "a" * 43, "csms_0123456789ABCDEF_" + "a" * 43, "csms_0123_x"],
)
def test_anything_else_has_no_key_id(text: str) -> None:
    assert key_id_of(text) is None


def test_a_key_matches_only_its_own_digest() -> None:
    _, key = new_key()
    stored = ApiKey("0123456789abcdef", "ops", Scope.READ, digest(key), NOW)
    assert stored.matches(key)
    assert not stored.matches(key[:-1] + ("A" if key[-1] != "A" else "B"))


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        (Scope.READ, {Scope.READ}),
        (Scope.OPERATE, {Scope.READ, Scope.OPERATE}),
        (Scope.ADMIN, {Scope.READ, Scope.OPERATE, Scope.ADMIN}),
    ],
)
def test_scopes_are_ordered_read_operate_admin(scope: Scope, allowed: set[Scope]) -> None:
    assert {needed for needed in Scope if scope.allows(needed)} == allowed


def keys(store: InMemoryApiKeyStore, monotonic: Clock | None = None, cache_s: float = 2.0) -> ApiKeys:
    return ApiKeys(store, lambda: NOW, cache_s=cache_s, monotonic=monotonic or Clock())


async def test_create_stores_only_the_digest_and_returns_the_key_once() -> None:
    store = InMemoryApiKeyStore()
    record, key = await keys(store).create("billing export", Scope.READ)
    assert store.keys == {record.key_id: record}
    assert record == ApiKey(
        record.key_id, "billing export", Scope.READ, digest(key), NOW.replace(microsecond=123000), None
    )
    assert key_id_of(key) == record.key_id and key.encode() not in repr(store.keys).encode()


async def test_create_draws_again_when_an_id_is_taken() -> None:
    store = InMemoryApiKeyStore()
    drawn = iter([("0000000000000001", "csms_0000000000000001_" + "a" * 43), new_key()])
    api_keys = ApiKeys(store, lambda: NOW, cache_s=0, keys=lambda: next(drawn))
    store.keys["0000000000000001"] = ApiKey("0000000000000001", "old", Scope.READ, b"x", NOW)
    record, _ = await api_keys.create("new", Scope.ADMIN)
    assert record.key_id != "0000000000000001" and store.keys["0000000000000001"].name == "old"


@pytest.mark.parametrize("name", ["", " ", "x" * 65, "tab\tname"])
async def test_a_bad_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidKey, match=r"name must be 1\.\.64 printable characters"):
        await keys(InMemoryApiKeyStore()).create(name, Scope.READ)


async def test_verify_admits_the_key_and_nothing_close_to_it() -> None:
    api_keys = keys(InMemoryApiKeyStore())
    record, key = await api_keys.create("ops", Scope.OPERATE)
    other_id = "f" * 16 if record.key_id != "f" * 16 else "e" * 16
    assert await api_keys.verify(key) == record
    assert await api_keys.verify(key[:-2] + "zz") is None
    assert await api_keys.verify(key.replace(record.key_id, other_id)) is None
    assert await api_keys.verify("not a key") is None


async def test_a_verified_key_is_read_again_after_the_cache_time() -> None:
    store, clock = InMemoryApiKeyStore(), Clock()
    api_keys = keys(store, clock, cache_s=2.0)
    _, key = await api_keys.create("ops", Scope.READ)
    reads = store.reads
    for _ in range(5):
        assert await api_keys.verify(key) is not None
    assert store.reads == reads + 1
    clock.seconds += 2.0
    await api_keys.verify(key)
    assert store.reads == reads + 2


async def test_a_key_revoked_elsewhere_is_refused_once_the_cache_time_passed() -> None:
    store, clock = InMemoryApiKeyStore(), Clock()
    here, elsewhere = keys(store, clock), keys(store, clock)
    record, key = await here.create("ops", Scope.READ)
    assert await here.verify(key) == record
    await elsewhere.revoke(record.key_id)
    clock.seconds += 1.9
    assert await here.verify(key) == record  # still cached here: at most 2 s
    clock.seconds += 0.1
    assert await here.verify(key) is None


async def test_a_key_revoked_here_is_refused_at_once() -> None:
    api_keys = keys(InMemoryApiKeyStore())
    record, key = await api_keys.create("ops", Scope.READ)
    assert await api_keys.verify(key) == record
    await api_keys.revoke(record.key_id)
    assert await api_keys.verify(key) is None


async def test_revoking_twice_keeps_the_first_time_and_unknown_ids_are_none() -> None:
    store = InMemoryApiKeyStore()
    times = itertools.count()
    api_keys = ApiKeys(store, lambda: NOW.replace(second=next(times)), cache_s=0)
    record, _ = await api_keys.create("ops", Scope.READ)
    first = await api_keys.revoke(record.key_id)
    assert first is not None and first.revoked_at == NOW.replace(second=1, microsecond=123000)
    assert await api_keys.revoke(record.key_id) == first
    assert await api_keys.revoke("0" * 16) is None
    with pytest.raises(InvalidKey):
        await api_keys.revoke("not-an-id")
