"""Capped exponential backoff with jitter."""

from __future__ import annotations

import pytest

from csms_kernel.infra.backoff import Backoff


def test_delays_double_up_to_the_cap_and_restart_after_a_reset() -> None:
    highest = Backoff(initial_s=0.5, maximum_s=4.0, rand=lambda: 1.0)
    assert [highest.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert highest.attempts == 6
    highest.reset()
    assert highest.next() == 0.5


def test_jitter_draws_from_the_upper_half_of_each_delay() -> None:
    lowest = Backoff(initial_s=1.0, maximum_s=8.0, rand=lambda: 0.0)
    assert [lowest.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    real = Backoff(initial_s=1.0, maximum_s=8.0)
    assert 0.5 <= real.next() <= 1.0
    assert 1.0 <= real.next() <= 2.0


def test_many_failures_stay_capped() -> None:
    backoff = Backoff(initial_s=0.1, maximum_s=30.0, rand=lambda: 1.0)
    for _ in range(10_000):
        delay = backoff.next()
    assert delay == 30.0


@pytest.mark.parametrize(("initial", "maximum"), [(0.0, 1.0), (2.0, 1.0), (-1.0, 1.0)])
def test_nonsense_bounds_are_refused(initial: float, maximum: float) -> None:
    with pytest.raises(ValueError, match="0 < initial_s <= maximum_s"):
        Backoff(initial_s=initial, maximum_s=maximum)
