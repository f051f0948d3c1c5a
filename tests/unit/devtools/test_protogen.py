"""The committed generated gRPC/protobuf code matches proto/ (run `make proto` when this fails)."""

from __future__ import annotations

from pathlib import Path

from csms_devtools import protogen


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    generated = protogen.generate(tmp_path)
    assert generated, "no proto files found"
    stale = [
        str(path.relative_to(tmp_path))
        for path in generated
        if path.read_bytes() != (protogen.DEFAULT_OUT / path.relative_to(tmp_path)).read_bytes()
    ]
    assert stale == [], f"generated code is stale, run `make proto`: {stale}"
