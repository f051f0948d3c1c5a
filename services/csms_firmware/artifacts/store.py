"""The `ArtifactStore` port: objects (firmware images, uploaded logs) streamed in and out by key, never whole in
memory, with byte ranges for resumed downloads. Also the key rule every store enforces and the stream helpers
(size limit, SHA-256) the callers wrap around a body. No I/O here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

CHUNK_BYTES = 256 * 1024
"""The size of the chunks the stores read and the HTTP server writes."""

_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


class ArtifactError(Exception):
    """Base of the artifact errors (the message is safe to show a caller)."""


class InvalidKey(ArtifactError):
    """A key that is not a relative path of safe segments."""


class ArtifactNotFound(ArtifactError):
    """No object under the key."""


class TooLarge(ArtifactError):
    """A stream passed its size limit; nothing was stored."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than the limit of {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class ArtifactInfo:
    """What a store knows of an object: its size, a strong entity tag (quoted, as in HTTP) and when it was
    written."""

    key: str
    size: int
    etag: str
    modified_at: datetime


def check_key(key: str) -> str:
    """`key` if it is 1-8 `/`-separated segments of letters, digits, `.`, `_`, `-` (no segment starting with a
    dot, so no `..`); `InvalidKey` otherwise. Keeps every key inside a store's root."""
    segments = key.split("/")
    if not 1 <= len(segments) <= 8 or not all(_SEGMENT.fullmatch(s) for s in segments):
        raise InvalidKey(f"invalid artifact key {key!r}")
    return key


class ArtifactStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> ArtifactInfo:
        """Stores the stream under `key` (replacing an object there) and returns it. Atomic: readers see the
        old object or the whole new one; if the stream fails (e.g. `TooLarge`) nothing new is visible."""
        ...

    def get(self, key: str, first: int = 0, last: int | None = None) -> AsyncGenerator[bytes]:
        """The bytes `first`..`last` (inclusive; `None`: to the end) of the object, in chunks.
        `ArtifactNotFound` when there is none (raised by the first iteration). Close it (`aclose`) when stopping
        early, so the file or connection is let go at once."""
        ...

    async def stat(self, key: str) -> ArtifactInfo | None:
        """The object's info, or None."""
        ...

    async def delete(self, key: str) -> None:
        """Removes the object; nothing when there is none."""
        ...


class Metered:
    """Wraps a body: counts and hashes (SHA-256) what passes, raises `TooLarge` as soon as more than `limit`
    bytes have come (before the excess is handed on)."""

    def __init__(self, chunks: AsyncIterable[bytes], limit: int | None) -> None:
        self._chunks = chunks
        self._limit = limit
        self._hash = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            if not chunk:
                continue
            self.size += len(chunk)
            if self._limit is not None and self.size > self._limit:
                raise TooLarge(self._limit)
            self._hash.update(chunk)
            yield chunk
