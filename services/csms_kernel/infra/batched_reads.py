"""Single-key reads made together: the keys asked for in the same turn of the event loop are read with one
multi-key request (at most `max_keys` per request, the requests concurrent), and callers asking for the same key
share its answer.

Why: every Cassandra request costs about 0.3 ms of the driver's CPU in the calling process and 0.15-0.25 ms of
Cassandra's, whatever it reads; a `WHERE key IN ?` read of 100 keys costs about what one single-key read does
(measured on the 2-core bench machine, docs/adr/0045). Handlers of one batch of CALLs, and projection steps, ask for
their keys concurrently, so their reads join. The answers are those a single-key read would give at the same
consistency level. Side effects: those of `fetch`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_KEYS = 100


class BatchedReads(Generic[K, V]):
    def __init__(self, fetch: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]], max_keys: int = MAX_KEYS) -> None:
        """`fetch` reads the given keys (at most `max_keys`) and returns the value of each key it found."""
        self._fetch = fetch
        self._max_keys = max_keys
        self._asked: dict[K, asyncio.Future[V | None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def get(self, key: K) -> V | None:
        """The key's value (None when `fetch` did not find it); raises what `fetch` raised for its request."""
        future = self._asked.get(key)
        if future is None:
            loop = asyncio.get_running_loop()
            if not self._asked:
                loop.call_soon(self._send)
            future = self._asked[key] = loop.create_future()
        return await asyncio.shield(future)  # a cancelled caller leaves the answer to the others

    def _send(self) -> None:
        asked, self._asked = self._asked, {}
        keys = list(asked)
        for start in range(0, len(keys), self._max_keys):
            task = asyncio.create_task(self._read({key: asked[key] for key in keys[start : start + self._max_keys]}))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _read(self, asked: dict[K, asyncio.Future[V | None]]) -> None:
        try:
            found = await self._fetch(list(asked))
        except Exception as exc:
            for future in asked.values():
                future.set_exception(exc)
                future.exception()  # retrieved: no warning when every caller was cancelled
            return
        for key, future in asked.items():
            future.set_result(found.get(key))
