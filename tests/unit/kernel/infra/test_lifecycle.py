"""The one lifecycle: resources start in order and stop in reverse, loops run between, failures stop it all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from csms_kernel.infra.lifecycle import Closing, Service, running, serve


@dataclass
class Recorder:
    steps: list[str] = field(default_factory=list)


@dataclass
class FakeResource:
    name: str
    recorder: Recorder
    fail_start: bool = False

    async def start(self) -> None:
        if self.fail_start:
            raise RuntimeError(f"{self.name} down")
        self.recorder.steps.append(f"start {self.name}")

    async def stop(self) -> None:
        self.recorder.steps.append(f"stop {self.name}")


async def test_serve_starts_in_order_runs_the_loops_and_stops_in_reverse_when_cancelled() -> None:
    recorder = Recorder()
    looping = asyncio.Event()

    async def loop() -> None:
        recorder.steps.append("loop")
        looping.set()
        await asyncio.Event().wait()

    async def close() -> None:
        recorder.steps.append("close client")

    service = Service(
        "svc",
        "svc-1",
        [FakeResource("a", recorder), Closing(close), FakeResource("b", recorder)],
        loops=[loop],
    )
    ready = asyncio.Event()
    task = asyncio.create_task(serve(service, ready))
    await asyncio.wait_for(ready.wait(), 5)
    await asyncio.wait_for(looping.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert recorder.steps == ["start a", "start b", "loop", "stop b", "close client", "stop a"]


async def test_a_failing_loop_ends_serve_with_its_error_after_stopping_everything() -> None:
    recorder = Recorder()

    async def failing() -> None:
        raise ValueError("broken")

    async def forever() -> None:
        await asyncio.Event().wait()

    service = Service("svc", "svc-1", [FakeResource("a", recorder)], loops=[forever, failing])
    with pytest.raises(ValueError, match="broken"):
        await asyncio.wait_for(serve(service), 5)
    assert recorder.steps == ["start a", "stop a"]


async def test_a_resource_failing_to_start_stops_only_those_started() -> None:
    recorder = Recorder()
    service = Service(
        "svc",
        "svc-1",
        [FakeResource("a", recorder), FakeResource("b", recorder, fail_start=True), FakeResource("c", recorder)],
    )
    with pytest.raises(RuntimeError, match="b down"):
        async with running(service):
            pass
    assert recorder.steps == ["start a", "stop a"]


async def test_running_without_grpc_has_no_port() -> None:
    async with running(Service("svc", "svc-1", [])) as started:
        assert (started.grpc_port, started.loops) == (None, [])
