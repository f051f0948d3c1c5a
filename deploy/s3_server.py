#!/usr/bin/env python3
"""Fetch and run a local S3-compatible server for the artifact store's tests and local trials: gofakes3 1.2.0 (MIT,
an S3 server in Go with a file-system backend), installed once with `go install` (a few seconds; Go's module cache
keeps the sources) into `<lib dir>/s3/bin/gofakes3`, like the Kafka and Cassandra jars of deploy/infra.py. No Docker,
no prebuilt download. Stdlib only: this runs before the project's virtualenv exists.

    python3 deploy/s3_server.py fetch           # go install gofakes3 (once)
    python3 deploy/s3_server.py path            # the binary's path (after fetch)
    python3 deploy/s3_server.py start           # detached on 127.0.0.1:$CSMS_S3_PORT, data in <infra dir>/data/s3
    python3 deploy/s3_server.py stop
    python3 deploy/s3_server.py env             # CSMS_FIRMWARE_S3_* settings for it, as VAR=value

Environment: CSMS_INFRA_DIR (default <repo>/.infra), CSMS_INFRA_LIB_DIR (where the binary is cached; default
CSMS_INFRA_DIR), CSMS_S3_PORT (9100), CSMS_GO (go binary; default `go` on PATH, then /usr/local/go/bin/go).
gofakes3 accepts any credentials (it does not check signatures); the ones below are what clients send.
Fails with the reason (no Go, install error: the last lines of its output) rather than doing without.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME = "gofakes3"
MODULE = "github.com/johannesboyne/gofakes3/cmd/gofakes3"
VERSION = "v1.2.0"
BUCKET = "csms-artifacts"
ACCESS_KEY = "csms-test"
SECRET_KEY = "csms-test-secret"


def _dir(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).resolve() if value else default


def infra_dir() -> Path:
    return _dir("CSMS_INFRA_DIR", REPO / ".infra")


def lib_dir() -> Path:
    return _dir("CSMS_INFRA_LIB_DIR", infra_dir()) / "s3"


def binary() -> Path:
    return lib_dir() / "bin" / NAME


def port() -> int:
    return int(os.environ.get("CSMS_S3_PORT", "").strip() or 9100)


def _go() -> str | None:
    configured = os.environ.get("CSMS_GO", "").strip()
    if configured:
        return configured
    fallback = Path("/usr/local/go/bin/go")
    return shutil.which("go") or (str(fallback) if fallback.exists() else None)


def fetch() -> int:
    marker = lib_dir() / f".{NAME}-{VERSION}"
    if binary().exists() and marker.exists():
        return 0
    go = _go()
    if go is None:
        print(f"s3: no go found: cannot install {NAME} {VERSION} (install Go, or set CSMS_GO)")
        return 1
    binary().parent.mkdir(parents=True, exist_ok=True)
    print(f"s3: installing {NAME} {VERSION} with go (once)", flush=True)
    result = subprocess.run(
        [go, "install", f"{MODULE}@{VERSION}"],
        env={**os.environ, "GOBIN": str(binary().parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not binary().exists():
        tail = (result.stdout + result.stderr).splitlines()[-15:]
        print(f"s3: go install {MODULE}@{VERSION} failed (exit {result.returncode}):\n" + "\n".join(tail))
        return 1
    marker.touch()
    print(f"s3: {binary()}")
    return 0


def _ready(at_port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", at_port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _pid_file() -> Path:
    return infra_dir() / "run" / "s3.pid"


def launch(root: Path, at_port: int, log: Path) -> subprocess.Popen[bytes]:
    """Starts the server (fetched before) on 127.0.0.1:`at_port` with data in `root`; returns once it accepts
    connections, or raises RuntimeError with its log."""
    root.mkdir(parents=True, exist_ok=True)
    command = [
        str(binary()),
        "-backend",
        "fs",
        "-fs.path",
        str(root),
        "-fs.create",
        "-host",
        f"127.0.0.1:{at_port}",
        "-initialbucket",
        BUCKET,
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if not _ready(at_port, 30.0) or process.poll() is not None:
        process.kill()
        raise RuntimeError(f"{NAME} did not start on port {at_port}: {log.read_text(errors='replace')[-2000:]}")
    return process


def start() -> int:
    if fetch() != 0:
        return 1
    pid_file = _pid_file()
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        process = launch(infra_dir() / "data" / "s3", port(), infra_dir() / "run" / "s3.log")
    except RuntimeError as exc:
        print(f"s3: {exc}")
        return 1
    pid_file.write_text(str(process.pid))
    print(f"s3: {NAME} on http://127.0.0.1:{port()} (pid {process.pid})")
    return 0


def stop() -> int:
    pid_file = _pid_file()
    if not pid_file.exists():
        return 0
    pid = int(pid_file.read_text().strip() or 0)
    pid_file.unlink()
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return 0
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return 0
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return 0


def env() -> int:
    print(f"CSMS_FIRMWARE_STORE=s3\nCSMS_FIRMWARE_S3_ENDPOINT_URL=http://127.0.0.1:{port()}")
    print(f"CSMS_FIRMWARE_S3_ACCESS_KEY_ID={ACCESS_KEY}\nCSMS_FIRMWARE_S3_SECRET_ACCESS_KEY={SECRET_KEY}")
    print("CSMS_FIRMWARE_S3_CREATE_BUCKET=true")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["fetch", "path", "start", "stop", "env"])
    args = parser.parse_args()
    if args.command == "path":
        print(binary())
        return 0 if binary().exists() else 1
    return {"fetch": fetch, "start": start, "stop": stop, "env": env}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
