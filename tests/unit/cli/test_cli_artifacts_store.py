"""`csms artifacts` in development stores images where `make run` / `make up` serve them (the checkout's
.infra/artifacts), whatever the working directory, unless a store directory is configured; production settings
are left as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from csms_cli.artifacts import DEVELOPMENT_ARTIFACTS, store_settings
from csms_firmware.artifacts.settings import ArtifactSettings

ROOT = Path(__file__).resolve().parents[3]


def test_development_uploads_go_to_the_stacks_directory_from_any_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CSMS_FIRMWARE_STORE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert DEVELOPMENT_ARTIFACTS == ROOT / ".infra" / "artifacts"
    assert store_settings(ArtifactSettings(), "development").store_dir == DEVELOPMENT_ARTIFACTS


def test_a_configured_directory_or_production_is_left_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CSMS_FIRMWARE_STORE_DIR", str(tmp_path))
    assert store_settings(ArtifactSettings(), "development").store_dir == tmp_path
    monkeypatch.delenv("CSMS_FIRMWARE_STORE_DIR")
    assert store_settings(ArtifactSettings(), "production").store_dir == Path(".infra/artifacts")
