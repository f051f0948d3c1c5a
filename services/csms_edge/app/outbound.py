"""CSMS-initiated CALLs to one station: one outstanding CALL at a time, a bounded FIFO queue, timeouts.

The pipe does no I/O itself: `call` is given a `send` coroutine that records and writes the CALL frame
once it is this CALL's turn, and the station's answer is handed in by the session via `resolve`.
`close` fails the outstanding and queued calls at once (the station disconnected).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from csms_kernel.ocpp.framing import Frame


class OutboundError(Exception):
    pass


class OutboundQueueFull(OutboundError):
    pass


class CallTimedOut(OutboundError):
    pass


class StationDisconnected(OutboundError):
    pass


@dataclass(slots=True)
class _Pending:
    message_id: str
    action: str
    answer: asyncio.Future[Frame]
    traceparent: str


class OutboundPipe:
    def __init__(self, max_queue: int) -> None:
        self._max_queue = max_queue
        self._busy = False
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._pending: _Pending | None = None
        self._closed_reason: str | None = None

    @property
    def queued(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    @property
    def outstanding_message_id(self) -> str | None:
        return self._pending.message_id if self._pending is not None else None

    def pending_action(self, message_id: str) -> str:
        """The action of the outstanding CALL with this message id ("" if there is none)."""
        pending = self._pending
        return pending.action if pending is not None and pending.message_id == message_id else ""

    def pending_traceparent(self, message_id: str) -> str:
        """The trace context of the outstanding CALL with this message id ("" if there is none)."""
        pending = self._pending
        return pending.traceparent if pending is not None and pending.message_id == message_id else ""

    async def call(
        self,
        message_id: str,
        action: str,
        timeout_s: float,
        send: Callable[[], Awaitable[None]],
        traceparent: str = "",
    ) -> Frame:
        """Waits for its turn, runs `send`, and returns the station's CALLRESULT/CALLERROR frame; the station's
        answer is traced as a child of `traceparent`.

        Raises OutboundQueueFull, CallTimedOut (the whole call, queueing included, took longer than
        `timeout_s`), StationDisconnected, or whatever `send` raises.
        """
        if self._closed_reason is not None:
            raise StationDisconnected(self._closed_reason)
        try:
            async with asyncio.timeout(timeout_s):
                await self._acquire()
                try:
                    answer: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
                    self._pending = _Pending(message_id, action, answer, traceparent)
                    await send()
                    return await answer
                finally:
                    self._pending = None
                    self._release()
                    if answer.done() and not answer.cancelled():
                        answer.exception()  # retrieved: no "never retrieved" warning if send() failed
        except TimeoutError:
            raise CallTimedOut(f"no answer to {action} (message id {message_id}) within {timeout_s:g} s") from None

    def resolve(self, frame: Frame) -> bool:
        """Hands the station's answer to the outstanding CALL; False if it answers no such CALL."""
        pending = self._pending
        if pending is None or pending.message_id != frame.message_id or pending.answer.done():
            return False
        pending.answer.set_result(frame)
        return True

    def close(self, reason: str) -> None:
        """Fails the outstanding and all queued calls with StationDisconnected; later calls fail at once."""
        if self._closed_reason is not None:
            return
        self._closed_reason = reason
        pending = self._pending
        if pending is not None and not pending.answer.done():
            pending.answer.set_exception(StationDisconnected(reason))
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(StationDisconnected(reason))

    async def _acquire(self) -> None:
        if not self._busy:
            self._busy = True
            return
        if self.queued >= self._max_queue:
            raise OutboundQueueFull(f"{self._max_queue} calls already queued")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release()  # the turn was handed to us just as we gave up: pass it on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        if self._closed_reason is not None:
            self._release()
            raise StationDisconnected(self._closed_reason)

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the turn passes to the next waiter; still busy
                return
        self._busy = False
