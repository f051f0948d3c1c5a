"""The store contract against `LocalDirectoryStore` in a temporary directory, and what only it promises: no key
reaches outside its root, a failed put leaves no temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from csms_firmware.artifacts.local import LocalDirectoryStore
from kit.builders.firmware_artifacts import files_below
from kit.contracts.artifact_store import ArtifactStoreContract, Broken, chunks_of, failing_after


class TestLocalDirectoryStore(ArtifactStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> LocalDirectoryStore:
        return LocalDirectoryStore(tmp_path / "store")

    @pytest.fixture
    def big_size(self) -> int:
        return 3 * 1024 * 1024 + 17


async def test_files_stay_below_the_root_and_failed_puts_leave_no_temporary_file(tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "store")
    await store.put("images/a/fw.bin", chunks_of(b"data"))
    with pytest.raises(Broken):
        await store.put("images/b/fw.bin", failing_after(b"partial"))
    assert files_below(tmp_path) == ["store/images/a/fw.bin"]
