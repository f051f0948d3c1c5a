"""One station's lane of frames to write: its own bounded queue and its own task, so a station that stops
reading delays only itself (security review finding #6, docs/adr/0030-reliability-findings.md).

A job is a coroutine function that writes one frame (and whatever goes with it: span, metrics, recording).
The lane runs its jobs in order, one at a time, each within `timeout_s`; its task exists only while jobs are
queued (an idle connection costs no task). A job that overruns its deadline or a queue that is full fails
the lane: the queued jobs are dropped and `on_failed(reason)` is called once (the owner closes the connection;
the station reconnects and repeats the CALLs it has no answer to). A closed socket drops the queued jobs
quietly: the session records the disconnection. No I/O of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from websockets.exceptions import ConnectionClosed

log = logging.getLogger(__name__)

SendJob = Callable[[], Awaitable[None]]


class SendLane:
    __slots__ = ("_failed", "_jobs", "_max_queue", "_on_failed", "_task", "_timeout_s")

    def __init__(self, max_queue: int, timeout_s: float, on_failed: Callable[[str], None]) -> None:
        self._max_queue = max_queue
        self._timeout_s = timeout_s
        self._on_failed = on_failed
        self._jobs: deque[SendJob] = deque()
        self._task: asyncio.Task[None] | None = None
        self._failed = False

    @property
    def queued(self) -> int:
        return len(self._jobs)

    @property
    def failed(self) -> bool:
        return self._failed

    def submit(self, job: SendJob) -> bool:
        """Queues `job` behind the lane's earlier ones without waiting; False when the lane failed or its queue
        is full (which fails it)."""
        if self._failed:
            return False
        if len(self._jobs) >= self._max_queue:
            self._fail(f"{self._max_queue} frames waiting to be sent")
            return False
        self._jobs.append(job)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return True

    async def idle(self) -> None:
        """Returns once every queued job ran or was dropped."""
        task = self._task
        if task is not None:
            await asyncio.wait([task])

    async def _run(self) -> None:
        try:
            while self._jobs:
                job = self._jobs.popleft()
                try:
                    async with asyncio.timeout(self._timeout_s):
                        await job()
                except TimeoutError:
                    self._fail(f"send stalled for {self._timeout_s:g} s")
                except ConnectionClosed:
                    self._jobs.clear()
                except Exception:
                    log.exception("sending a frame failed; the lane goes on with the next")
        finally:
            self._task = None

    def _fail(self, reason: str) -> None:
        self._failed = True
        self._jobs.clear()
        self._on_failed(reason)
