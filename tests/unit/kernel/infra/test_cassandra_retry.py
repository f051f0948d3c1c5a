"""csms_kernel.infra.cassandra's bounded retry (no Cassandra needed; the adapter's I/O is tested in integration)."""

from __future__ import annotations

import pytest
from cassandra import InvalidRequest, OperationTimedOut, WriteTimeout
from cassandra.cluster import NoHostAvailable

from csms_kernel.infra.cassandra import RetryPolicy, retrying


class Flaky:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


class Sleeps(list[float]):
    async def __call__(self, delay: float) -> None:
        self.append(delay)


POLICY = RetryPolicy(attempts=4, initial_backoff=1.0, max_backoff=3.0)


async def test_transient_errors_are_retried_with_growing_pauses() -> None:
    operation = Flaky(NoHostAvailable("down", {}), OperationTimedOut(), WriteTimeout("slow", write_type=0))
    sleeps = Sleeps()
    assert await retrying(operation, POLICY, "test", sleeps) == "done"
    assert operation.calls == 4
    assert len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0 and 1.5 <= sleeps[2] <= 3.0


async def test_the_last_transient_error_is_raised_after_the_last_attempt() -> None:
    operation = Flaky(*(OperationTimedOut(f"attempt {i}") for i in range(1, 6)))
    sleeps = Sleeps()
    with pytest.raises(OperationTimedOut, match="attempt 4"):
        await retrying(operation, POLICY, "test", sleeps)
    assert operation.calls == 4
    assert len(sleeps) == 3


async def test_other_errors_are_raised_at_once() -> None:
    operation = Flaky(InvalidRequest("bad cql"))
    sleeps = Sleeps()
    with pytest.raises(InvalidRequest):
        await retrying(operation, POLICY, "test", sleeps)
    assert (operation.calls, sleeps) == (1, [])


def test_backoff_is_capped() -> None:
    assert all(1.5 <= POLICY.backoff(attempt) <= 3.0 for attempt in range(3, 30))
