"""Session fixtures shared by every test directory below tests/ (Kafka/Cassandra `infra` is registered in the
root conftest.py)."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from csms_kernel.infra.health import READINESS
from csms_kernel.pki.dev import DevPki, ensure_dev_pki


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A development PKI (root, server, station and internal CAs; csms_kernel.pki.dev) created once per session
    in a temporary directory; tests/kit/pki.py issues station certificates from it."""
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(autouse=True)
def _readiness_left_serving() -> Iterator[None]:
    """A component that fails in one test marks the process-wide `READINESS` NOT_SERVING; the next test starts
    from a serving process, as a new process would."""
    yield
    for component in READINESS.failing_components:
        READINESS.ok(component)


HUNG_AFTER_S = 840.0
"""A test still running after this (pytest-timeout ends the run at 900 s, printing the threads) prints the stack
of every asyncio task of the tests' event loop: a hang on the loop shows only an idle thread otherwise."""

_current: list[tuple[str, float]] = [("", 0.0)]  # the running test's node id and start (monotonic)


def pytest_runtest_logstart(nodeid: str, location: object) -> None:
    _current[0] = (nodeid, time.monotonic())


@pytest.fixture(scope="session", autouse=True)
async def _tasks_printed_if_hung(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """One watcher thread for the session, looking at the running test every few seconds."""
    loop = asyncio.get_running_loop()
    capture = request.config.pluginmanager.getplugin("capturemanager")
    stopped = threading.Event()

    def print_tasks(nodeid: str) -> None:
        if capture is not None:
            capture.suspend_global_capture(in_=True)
        print(f"\n{nodeid} still running after {HUNG_AFTER_S:.0f} s; its loop's tasks:", file=sys.stderr)
        for task in asyncio.all_tasks(loop):
            task.print_stack(file=sys.stderr)
        if capture is not None:
            capture.resume_global_capture()

    def watch() -> None:
        reported = ""
        while not stopped.wait(min(10.0, HUNG_AFTER_S / 4)):
            nodeid, started = _current[0]
            if nodeid != reported and time.monotonic() - started > HUNG_AFTER_S:
                reported = nodeid
                loop.call_soon_threadsafe(print_tasks, nodeid)

    threading.Thread(target=watch, name="hung-test-watcher", daemon=True).start()
    yield
    stopped.set()
