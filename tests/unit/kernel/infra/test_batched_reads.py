"""`BatchedReads`: keys asked for in the same turn go in one fetch (split at max_keys), a key asked twice is
fetched once, a later turn is a new fetch, a failed fetch fails its callers only, and a cancelled caller does not
cancel the read of the others."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from csms_kernel.infra.batched_reads import BatchedReads


class Store:
    def __init__(self, values: dict[str, int], failing: frozenset[str] = frozenset()) -> None:
        self.values = values
        self.failing = failing
        self.fetches: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def fetch(self, keys: Sequence[str]) -> Mapping[str, int]:
        self.fetches.append(list(keys))
        await self.gate.wait()
        if self.failing & set(keys):
            raise ConnectionError("Cassandra down")
        return {key: self.values[key] for key in keys if key in self.values}


async def test_keys_asked_together_are_fetched_together_and_split_at_max_keys() -> None:
    store = Store({f"k{i}": i for i in range(5)})
    reads = BatchedReads(store.fetch, max_keys=2)
    found = await asyncio.gather(*(reads.get(key) for key in ["k0", "k1", "k2", "k1", "missing"]))
    assert found == [0, 1, 2, 1, None]
    assert store.fetches == [["k0", "k1"], ["k2", "missing"]]
    assert await reads.get("k3") == 3
    assert store.fetches[-1] == ["k3"]  # a later turn: a new fetch


async def test_a_failed_fetch_fails_its_callers_only() -> None:
    store = Store({"a": 1, "b": 2}, failing=frozenset({"b"}))
    reads = BatchedReads(store.fetch, max_keys=1)
    a, b = await asyncio.gather(reads.get("a"), reads.get("b"), return_exceptions=True)
    assert a == 1 and isinstance(b, ConnectionError)


async def test_a_cancelled_caller_leaves_the_read_to_the_others() -> None:
    store = Store({"a": 1})
    store.gate.clear()
    reads = BatchedReads(store.fetch)
    first = asyncio.create_task(reads.get("a"))
    second = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    first.cancel()
    store.gate.set()
    assert await second == 1
    with pytest.raises(asyncio.CancelledError):
        await first
    assert store.fetches == [["a"]]
