"""The outbound pipe: one outstanding CALL, a bounded FIFO queue, timeouts, failing on disconnect."""

from __future__ import annotations

import asyncio

import pytest

from csms_edge.app.outbound import CallTimedOut, OutboundPipe, OutboundQueueFull, StationDisconnected
from csms_kernel.ocpp.framing import Frame, MessageType
from kit.waiting import wait_until


def result(message_id: str, **payload: object) -> Frame:
    return Frame(MessageType.CALL_RESULT, message_id, payload=dict(payload))


class Station:
    """Records which CALLs were written, in order."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def sender(self, message_id: str):  # type: ignore[no-untyped-def]
        async def send() -> None:
            self.written.append(message_id)

        return send


async def test_call_returns_the_station_answer() -> None:
    pipe, station = OutboundPipe(16), Station()
    call = asyncio.create_task(pipe.call("m1", "Reset", 5, station.sender("m1")))
    await wait_until(lambda: station.written == ["m1"])
    assert pipe.pending_action("m1") == "Reset"
    assert pipe.pending_action("other") == ""
    assert pipe.resolve(result("m1", status="Accepted"))
    assert await call == result("m1", status="Accepted")
    assert pipe.outstanding_message_id is None


async def test_only_one_call_outstanding_others_wait_in_order() -> None:
    pipe, station = OutboundPipe(16), Station()
    calls = [asyncio.create_task(pipe.call(f"m{i}", "Reset", 5, station.sender(f"m{i}"))) for i in range(3)]
    await wait_until(lambda: station.written == ["m0"])
    await asyncio.sleep(0)
    assert station.written == ["m0"]
    assert pipe.queued == 2
    assert not pipe.resolve(result("m1"))  # m1 is not outstanding yet
    for i in range(3):
        await wait_until(lambda i=i: station.written == [f"m{j}" for j in range(i + 1)])
        assert pipe.outstanding_message_id == f"m{i}"
        assert pipe.resolve(result(f"m{i}", n=i))
        assert await calls[i] == result(f"m{i}", n=i)
    assert pipe.queued == 0


async def test_queue_is_bounded() -> None:
    pipe, station = OutboundPipe(2), Station()
    tasks = [asyncio.create_task(pipe.call(f"m{i}", "Reset", 5, station.sender(f"m{i}"))) for i in range(3)]
    await wait_until(lambda: pipe.queued == 2)
    with pytest.raises(OutboundQueueFull):
        await pipe.call("m3", "Reset", 5, station.sender("m3"))
    pipe.close("station disconnected")
    for task in tasks:
        with pytest.raises(StationDisconnected):
            await task


async def test_unanswered_call_times_out_and_frees_the_slot() -> None:
    pipe, station = OutboundPipe(16), Station()
    first = asyncio.create_task(pipe.call("m1", "Reset", 0.05, station.sender("m1")))
    second = asyncio.create_task(pipe.call("m2", "Reset", 5, station.sender("m2")))
    with pytest.raises(CallTimedOut, match=r"no answer to Reset \(message id m1\) within 0.05 s"):
        await first
    await wait_until(lambda: station.written == ["m1", "m2"])
    assert not pipe.resolve(result("m1"))  # late answer to the timed-out call: unmatched
    assert pipe.resolve(result("m2"))
    assert await second == result("m2")


async def test_timeout_includes_time_spent_queued() -> None:
    pipe, station = OutboundPipe(16), Station()
    first = asyncio.create_task(pipe.call("m1", "Reset", 5, station.sender("m1")))
    await wait_until(lambda: station.written == ["m1"])
    with pytest.raises(CallTimedOut):
        await pipe.call("m2", "Reset", 0.05, station.sender("m2"))
    assert pipe.queued == 0
    assert pipe.resolve(result("m1"))
    await first
    assert station.written == ["m1"]  # m2 never reached the station
    # The pipe is still usable.
    third = asyncio.create_task(pipe.call("m3", "Reset", 5, station.sender("m3")))
    await wait_until(lambda: station.written == ["m1", "m3"])
    assert pipe.resolve(result("m3"))
    await third


async def test_disconnect_fails_outstanding_and_queued_calls_at_once() -> None:
    pipe, station = OutboundPipe(16), Station()
    outstanding = asyncio.create_task(pipe.call("m1", "Reset", 30, station.sender("m1")))
    queued = asyncio.create_task(pipe.call("m2", "Reset", 30, station.sender("m2")))
    await wait_until(lambda: pipe.queued == 1)
    pipe.close("station disconnected")
    for task in (outstanding, queued):
        with pytest.raises(StationDisconnected, match="station disconnected"):
            await task
    with pytest.raises(StationDisconnected):
        await pipe.call("m3", "Reset", 30, station.sender("m3"))
    assert station.written == ["m1"]


async def test_failing_send_frees_the_slot() -> None:
    pipe, station = OutboundPipe(16), Station()

    async def broken() -> None:
        raise ConnectionError("socket gone")

    with pytest.raises(ConnectionError):
        await pipe.call("m1", "Reset", 5, broken)
    second = asyncio.create_task(pipe.call("m2", "Reset", 5, station.sender("m2")))
    await wait_until(lambda: station.written == ["m2"])
    assert pipe.resolve(result("m2"))
    await second


async def test_cancelled_waiter_does_not_block_the_queue() -> None:
    pipe, station = OutboundPipe(16), Station()
    first = asyncio.create_task(pipe.call("m1", "Reset", 5, station.sender("m1")))
    cancelled = asyncio.create_task(pipe.call("m2", "Reset", 5, station.sender("m2")))
    third = asyncio.create_task(pipe.call("m3", "Reset", 5, station.sender("m3")))
    await wait_until(lambda: pipe.queued == 2)
    cancelled.cancel()
    assert pipe.resolve(result("m1"))
    await first
    await wait_until(lambda: station.written == ["m1", "m3"])
    assert pipe.resolve(result("m3"))
    await third
    assert cancelled.cancelled()


async def test_call_error_is_returned_as_the_answer() -> None:
    pipe, station = OutboundPipe(16), Station()
    call = asyncio.create_task(pipe.call("m1", "Reset", 5, station.sender("m1")))
    await wait_until(lambda: station.written == ["m1"])
    error = Frame(MessageType.CALL_ERROR, "m1", error_code="NotSupported", error_description="no")
    assert pipe.resolve(error)
    assert await call == error
