"""`csms artifacts upload|list|url|upload-url` against the real Cassandra and a local store in a temporary
directory: what an operator runs, end to end through the firmware artifacts' use cases."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from csms_cli import exit_codes
from csms_cli.main import run
from csms_kernel.infra.cassandra import CassandraSession
from infra_fixtures import Infra

pytestmark = pytest.mark.integration


@pytest.fixture
def configured(
    infra: Infra, firmware_session: CassandraSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("CSMS_CASSANDRA_CONTACT_POINTS", ",".join(infra.cassandra_contact_points))
    monkeypatch.setenv("CSMS_CASSANDRA_PORT", str(infra.cassandra_port))
    monkeypatch.setenv("CSMS_FIRMWARE_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("CSMS_FIRMWARE_PUBLIC_URL", "https://fw.example.test")
    return tmp_path


def test_an_operator_uploads_lists_and_signs(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = configured / "acme-3.0.bin"
    image.write_bytes(b"\x00firmware" * 10_000)
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    assert (
        run(["artifacts", "upload", str(image), "--version", "3.0", "--vendor", "ACME", "--model", "AC-22", "--json"])
        == exit_codes.OK
    )
    uploaded = json.loads(capsys.readouterr().out)
    assert (uploaded["sha256"], uploaded["size"], uploaded["models"]) == (digest, 90_000, ["AC-22"])
    assert (configured / "store" / "images" / uploaded["image_id"] / "acme-3.0.bin").read_bytes() == image.read_bytes()
    assert run(["artifacts", "list", "--json"]) == exit_codes.OK
    assert uploaded["image_id"] in [row["image_id"] for row in json.loads(capsys.readouterr().out)]
    assert run(["artifacts", "url", uploaded["image_id"], "--station", "CP-1"]) == exit_codes.OK
    url = urlsplit(capsys.readouterr().out.strip())
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "fw.example.test",
        f"/artifacts/images/{uploaded['image_id']}/acme-3.0.bin",
    )
    assert run(["artifacts", "upload-url", "CP-1", "--max-bytes", "1000"]) == exit_codes.OK
    assert capsys.readouterr().out.startswith("https://fw.example.test/uploads/")


def test_bad_input_is_reported(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = configured / "fw.bin"
    image.write_bytes(b"abc")
    assert (
        run(["artifacts", "upload", str(image), "--version", "1", "--vendor", "A", "--sha256", "0" * 64])
        == exit_codes.INVALID
    )
    assert "SHA-256" in capsys.readouterr().err
    assert (
        run(["artifacts", "upload", str(configured / "missing.bin"), "--version", "1", "--vendor", "A"])
        == exit_codes.INVALID
    )
    assert run(["artifacts", "url", "no-such-image"]) == exit_codes.FAILED
    assert "no firmware image" in capsys.readouterr().err
