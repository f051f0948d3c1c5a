"""A station's send lane: in order, one at a time, bounded in time and in queue length, never blocking others."""

from __future__ import annotations

import asyncio

from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from csms_edge.app.sending import SendJob, SendLane
from kit.waiting import wait_until


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.failures: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()

    def job(self, text: str) -> SendJob:
        async def send() -> None:
            await self.gate.wait()
            self.sent.append(text)

        return send


async def test_jobs_run_in_order_and_the_task_ends_when_the_queue_is_empty() -> None:
    out = Recorder()
    lane = SendLane(8, 1.0, out.failures.append)
    assert all(lane.submit(out.job(text)) for text in "abc")
    await lane.idle()
    assert out.sent == ["a", "b", "c"] and out.failures == []
    assert lane._task is None  # an idle connection keeps no task
    assert lane.submit(out.job("d"))
    await lane.idle()
    assert out.sent == ["a", "b", "c", "d"]


async def test_a_send_past_its_deadline_fails_the_lane_once_and_drops_the_rest() -> None:
    out = Recorder()
    out.gate.clear()
    lane = SendLane(8, 0.05, out.failures.append)
    lane.submit(out.job("a"))
    lane.submit(out.job("b"))
    await lane.idle()
    assert out.failures == ["send stalled for 0.05 s"] and lane.failed and lane.queued == 0
    assert not lane.submit(out.job("c"))
    assert out.failures == ["send stalled for 0.05 s"]


async def test_a_full_queue_fails_the_lane() -> None:
    out = Recorder()
    out.gate.clear()
    lane = SendLane(2, 10.0, out.failures.append)
    assert [lane.submit(out.job(str(i))) for i in range(4)] == [True, True, False, False]
    assert out.failures == ["2 frames waiting to be sent"]


async def test_a_closed_socket_drops_the_queue_quietly_and_an_error_skips_one_frame() -> None:
    out = Recorder()
    lane = SendLane(8, 1.0, out.failures.append)

    async def closed() -> None:
        raise ConnectionClosed(None, Close(1000, "bye"))

    async def broken() -> None:
        raise RuntimeError("bug")

    lane.submit(broken)
    lane.submit(out.job("after the bug"))
    await lane.idle()
    lane.submit(closed)
    lane.submit(out.job("never"))
    await lane.idle()
    assert out.sent == ["after the bug"] and out.failures == []


async def test_one_stalled_lane_does_not_delay_another() -> None:
    stalled, healthy = Recorder(), Recorder()
    stalled.gate.clear()
    slow = SendLane(8, 60.0, stalled.failures.append)
    fast = SendLane(8, 60.0, healthy.failures.append)
    slow.submit(stalled.job("x"))
    for text in "abc":
        fast.submit(healthy.job(text))
    await wait_until(lambda: healthy.sent == ["a", "b", "c"], timeout_s=0.5)
    assert stalled.sent == []
