"""`LocalDirectoryStore`: the artifact store in a directory (the default; one host, or a shared volume).

Keys are checked (`check_key`) and map to files below the root, so no key reaches outside it. A put streams to a
temporary file in `<root>/.incoming/`, fsyncs it and renames it over the target (atomic on one file system); a
failed put removes its temporary file. File I/O runs in worker threads. The entity tag is made of the file's
inode, size and modification time, so a replaced object gets a new one. Side effects: files below the root.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterable
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from csms_firmware.artifacts.store import CHUNK_BYTES, ArtifactInfo, ArtifactNotFound, check_key

_INCOMING = ".incoming"


class LocalDirectoryStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> ArtifactInfo:
        target = self._path(key)
        incoming = self.root / _INCOMING
        await asyncio.to_thread(incoming.mkdir, parents=True, exist_ok=True)
        temporary = incoming / f"{uuid.uuid4().hex}.part"
        handle: BinaryIO = await asyncio.to_thread(temporary.open, "xb")
        try:
            try:
                async for chunk in chunks:
                    await asyncio.to_thread(handle.write, chunk)
                await asyncio.to_thread(_flush, handle)
            finally:
                await asyncio.to_thread(handle.close)
            await asyncio.to_thread(_install, temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(temporary.unlink)
            raise
        info = await self.stat(key)
        if info is None:
            raise ArtifactNotFound(f"{key} vanished right after it was stored")
        return info

    async def get(self, key: str, first: int = 0, last: int | None = None) -> AsyncGenerator[bytes]:
        path = self._path(key)
        try:
            handle: BinaryIO = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ArtifactNotFound(key) from None
        try:
            await asyncio.to_thread(handle.seek, first)
            remaining = None if last is None else last - first + 1
            while remaining is None or remaining > 0:
                want = CHUNK_BYTES if remaining is None else min(CHUNK_BYTES, remaining)
                chunk = await asyncio.to_thread(handle.read, want)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def stat(self, key: str) -> ArtifactInfo | None:
        try:
            found = await asyncio.to_thread(self._path(key).stat)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not S_ISREG(found.st_mode):
            return None
        return ArtifactInfo(
            key=key,
            size=found.st_size,
            etag=f'"{found.st_ino:x}-{found.st_size:x}-{found.st_mtime_ns:x}"',
            modified_at=datetime.fromtimestamp(found.st_mtime, UTC),
        )

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self._path(key).unlink)


def _flush(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _install(temporary: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)
