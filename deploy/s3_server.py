#!/usr/bin/env python3
"""Fetch and run a local S3-compatible server for the artifact store's tests and local trials: s3s-fs (Apache-2.0,
the `s3s` project's file-system S3 server), built once from crates.io with cargo and cached under
`<lib dir>/s3s/bin/s3s-fs`, like the Kafka and Cassandra jars of deploy/infra.py. No Docker, no prebuilt download.
Stdlib only: this runs before the project's virtualenv exists.

    python3 deploy/s3_server.py fetch           # cargo install s3s-fs (once, a few minutes on 2 cores)
    python3 deploy/s3_server.py path            # the binary's path (after fetch)
    python3 deploy/s3_server.py start           # detached on 127.0.0.1:$CSMS_S3_PORT, data in <infra dir>/data/s3
    python3 deploy/s3_server.py stop
    python3 deploy/s3_server.py env             # CSMS_FIRMWARE_S3_* settings for it, as VAR=value

Environment: CSMS_INFRA_DIR (default <repo>/.infra), CSMS_INFRA_LIB_DIR (where the binary is cached; default
CSMS_INFRA_DIR), CSMS_S3_PORT (9100), CSMS_CARGO (cargo binary; default `cargo` on PATH, then ~/.cargo/bin/cargo),
CSMS_S3S_CACHE_DIR (a copy of the binary outside the checkout, reused by fresh clones; default ~/.cache/csms).
Fails with the reason (no cargo, build error: the last lines of the cargo log) rather than doing without.
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
CRATE = "s3s-fs"
VERSION = "0.14.1"  # the newest release that builds with Rust 1.95 (0.15+ need 1.96)
ACCESS_KEY = "csms-test"
SECRET_KEY = "csms-test-secret"


def _dir(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).resolve() if value else default


def infra_dir() -> Path:
    return _dir("CSMS_INFRA_DIR", REPO / ".infra")


def lib_dir() -> Path:
    return _dir("CSMS_INFRA_LIB_DIR", infra_dir()) / "s3s"


def binary() -> Path:
    return lib_dir() / "bin" / CRATE


def port() -> int:
    return int(os.environ.get("CSMS_S3_PORT", "").strip() or 9100)


def _cargo() -> str | None:
    configured = os.environ.get("CSMS_CARGO", "").strip()
    if configured:
        return configured
    found = shutil.which("cargo")
    fallback = Path.home() / ".cargo" / "bin" / "cargo"
    return found or (str(fallback) if fallback.exists() else None)


def user_cache() -> Path:
    """A copy of the built binary outside any checkout (like Maven's ~/.m2 for the jars), so a fresh clone on
    the same machine (CI) copies it instead of building again."""
    return _dir("CSMS_S3S_CACHE_DIR", Path.home() / ".cache" / "csms") / f"{CRATE}-{VERSION}" / CRATE


def fetch() -> int:
    marker = lib_dir() / f".{CRATE}-{VERSION}"
    if binary().exists() and marker.exists():
        return 0
    if user_cache().exists():
        binary().parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(user_cache(), binary())
        marker.touch()
        print(f"s3: {binary()} (from {user_cache()})")
        return 0
    cargo = _cargo()
    if cargo is None:
        print(f"s3: no cargo found: cannot build {CRATE} {VERSION} from crates.io (install Rust, or set CSMS_CARGO)")
        return 1
    lib_dir().mkdir(parents=True, exist_ok=True)
    log = lib_dir() / "build.log"
    print(f"s3: building {CRATE} {VERSION} with cargo (once; log {log})", flush=True)
    command = [
        cargo,
        "install",
        f"{CRATE}@{VERSION}",
        "--locked",
        "--features",
        "binary",
        "--root",
        str(lib_dir()),
        "--target-dir",
        str(lib_dir() / "target"),
    ]
    with log.open("w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0 or not binary().exists():
        tail = log.read_text(errors="replace").splitlines()[-15:]
        print(f"s3: cargo install {CRATE}@{VERSION} failed (exit {result.returncode}):\n" + "\n".join(tail))
        return 1
    shutil.rmtree(lib_dir() / "target", ignore_errors=True)
    marker.touch()
    user_cache().parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(binary(), user_cache())
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
        "--host",
        "127.0.0.1",
        "--port",
        str(at_port),
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
        str(root),
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if not _ready(at_port, 30.0) or process.poll() is not None:
        process.kill()
        raise RuntimeError(f"{CRATE} did not start on port {at_port}: {log.read_text(errors='replace')[-2000:]}")
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
    print(f"s3: {CRATE} on http://127.0.0.1:{port()} (pid {process.pid})")
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
