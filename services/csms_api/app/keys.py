"""API keys: create (the key is returned once), list, revoke, and the verification every `/api/v1` request
goes through, remembered for at most `cache_s` (<= 2 s) so a revocation reaches every instance within that.
Used by the HTTP routes and by `csms api-keys`. I/O only through the `ApiKeyStore` port.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from csms_api.domain.keys import ApiKey, Scope, check_key_id, check_name, digest, key_id_of, new_key
from csms_api.ports import ApiKeyStore

CACHE_ENTRIES = 10_000
"""At most this many keys (known or unknown) are remembered; beyond it the cache starts over."""


class ApiKeys:
    def __init__(
        self,
        store: ApiKeyStore,
        clock: Callable[[], datetime],
        *,
        cache_s: float,
        monotonic: Callable[[], float] = time.monotonic,
        keys: Callable[[], tuple[str, str]] = new_key,
    ) -> None:
        self._store = store
        self._clock = clock
        self._cache_s = cache_s
        self._monotonic = monotonic
        self._new_key = keys
        self._verified: dict[bytes, tuple[float, ApiKey | None]] = {}

    async def create(self, name: str, scope: Scope) -> tuple[ApiKey, str]:
        """A new key and the key itself, which is not stored and cannot be shown again. InvalidKey for a bad
        name."""
        check_name(name)
        created_at = self._now()
        while True:
            key_id, key = self._new_key()
            record = ApiKey(key_id=key_id, name=name, scope=scope, digest=digest(key), created_at=created_at)
            if await self._store.add(record):
                return record, key

    async def get(self, key_id: str) -> ApiKey | None:
        """None for an unknown id. InvalidKey for a malformed one."""
        check_key_id(key_id)
        return await self._store.get(key_id)

    async def list_page(self, limit: int, after: str | None) -> tuple[list[ApiKey], str | None]:
        return await self._store.list_page(limit, after)

    async def revoke(self, key_id: str) -> ApiKey | None:
        """The revoked key (revoking twice keeps the first time); None for an unknown id."""
        key = await self.get(key_id)
        if key is None or key.revoked:
            return key
        revoked = replace(key, revoked_at=self._now())
        await self._store.set_revoked(revoked)
        self._verified = {
            found: entry for found, entry in self._verified.items() if entry[1] is None or entry[1].key_id != key_id
        }
        return revoked

    def _now(self) -> datetime:
        now = self._clock()
        return now.replace(microsecond=now.microsecond // 1000 * 1000)  # a CQL timestamp holds milliseconds

    async def verify(self, presented: str) -> ApiKey | None:
        """The active key `presented` is; None when it is malformed, unknown or revoked."""
        key_id = key_id_of(presented)
        if key_id is None:
            return None
        found = digest(presented)
        now = self._monotonic()
        cached = self._verified.get(found)
        if cached is not None and cached[0] > now:
            return cached[1]
        stored = await self._store.get(key_id)
        key = stored if stored is not None and not stored.revoked and stored.matches(presented) else None
        if self._cache_s > 0:
            if len(self._verified) >= CACHE_ENTRIES:
                self._verified.clear()
            self._verified[found] = (now + self._cache_s, key)
        return key
