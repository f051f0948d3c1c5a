"""A real S3-compatible server for the S3 store's integration tests: `CSMS_TEST_S3_ENDPOINT_URL` (with
`CSMS_TEST_S3_ACCESS_KEY_ID`, `CSMS_TEST_S3_SECRET_ACCESS_KEY`) when set, else deploy/s3_server.py's gofakes3
(installed once with go, cached under .infra/s3) on a free port with its data in a temporary directory. If it can be
had neither way, the session fails with the reason (never skips)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from kit.stack import free_port

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "s3_server.py"


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    access_key_id: str
    secret_access_key: str


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("csms_deploy_s3_server", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start_s3(data_dir: Path) -> tuple[S3Endpoint, Callable[[], None]]:
    external = os.environ.get("CSMS_TEST_S3_ENDPOINT_URL", "").strip()
    if external:
        endpoint = S3Endpoint(
            external,
            os.environ.get("CSMS_TEST_S3_ACCESS_KEY_ID", ""),
            os.environ.get("CSMS_TEST_S3_SECRET_ACCESS_KEY", ""),
        )
        return endpoint, lambda: None
    fetched = subprocess.run(
        [sys.executable, str(SCRIPT), "fetch"], capture_output=True, text=True, timeout=3600, check=False
    )
    if fetched.returncode != 0:
        pytest.fail(f"no S3-compatible server: deploy/s3_server.py fetch failed:\n{fetched.stdout}", pytrace=False)
    script = _script()
    port = free_port()
    try:
        process = script.launch(data_dir / "root", port, data_dir / "gofakes3.log")
    except RuntimeError as exc:
        pytest.fail(f"no S3-compatible server: {exc}", pytrace=False)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    return S3Endpoint(f"http://127.0.0.1:{port}", script.ACCESS_KEY, script.SECRET_KEY), stop
