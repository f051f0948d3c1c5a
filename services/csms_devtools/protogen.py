"""Generates the Python code of the gRPC/protobuf contracts in proto/ into services/contracts/ (dev-only tool).

The one generation command (`make proto`). Generated files are never edited by hand; the unit test
`tests/unit/test_protogen.py` regenerates into a temporary folder and fails when the committed code is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO_ROOT / "proto"
DEFAULT_OUT = REPO_ROOT / "services" / "contracts"


def proto_files() -> list[Path]:
    return sorted(PROTO_ROOT.rglob("*.proto"))


def generate(out_dir: Path = DEFAULT_OUT) -> list[Path]:
    """Runs protoc for every proto file; returns the generated files (with package __init__.py files)."""
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    bin_dir = Path(sys.executable).parent
    files = [str(p.relative_to(PROTO_ROOT)) for p in proto_files()]
    args = [
        "protoc",
        f"--plugin=protoc-gen-mypy={bin_dir / 'protoc-gen-mypy'}",
        f"--plugin=protoc-gen-mypy_grpc={bin_dir / 'protoc-gen-mypy_grpc'}",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"--mypy_out={out_dir}",
        f"--mypy_grpc_out={out_dir}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed")
    generated: list[Path] = []
    for rel in files:
        package_dir = out_dir / Path(rel).parent
        for part in _package_dirs(out_dir, package_dir):
            init = part / "__init__.py"
            if not init.exists():
                init.write_text("")
        stem = Path(rel).stem
        generated += [package_dir / f"{stem}_pb2{suffix}" for suffix in (".py", ".pyi", "_grpc.py", "_grpc.pyi")]
    return generated


def _package_dirs(out_dir: Path, package_dir: Path) -> list[Path]:
    parts = []
    current = package_dir
    while current != out_dir:
        parts.append(current)
        current = current.parent
    return parts


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    for path in generate(out):
        print(path.relative_to(out))
