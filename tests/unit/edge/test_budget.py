"""A station's budget of frames and bytes per second (security review #7)."""

from __future__ import annotations

import pytest

from csms_edge.domain.budget import Limits, TokenBucket


def test_a_bucket_lets_a_burst_through_then_asks_to_wait_for_the_overdraft() -> None:
    bucket = TokenBucket(rate=10, burst=3, tokens=3, stamp=0.0)
    assert [bucket.charge(1, 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.charge(1, 0.0) == pytest.approx(0.1)
    assert bucket.charge(1, 0.0) == pytest.approx(0.2)
    assert bucket.charge(1, 0.2) == pytest.approx(0.1)  # refilled 2 while waiting, one more taken
    assert bucket.charge(0, 10.0) == 0.0 and bucket.tokens == 3  # never above the burst


def test_a_frame_larger_than_the_byte_burst_passes_and_is_paid_for_afterwards() -> None:
    budget = Limits(bytes_per_s=1000, byte_burst=500).budget(0.0)
    assert budget is not None
    assert budget.charge(2500, 0.0) == pytest.approx(2.0)


def test_the_longer_of_the_two_waits_wins() -> None:
    budget = Limits(frames_per_s=1, frame_burst=1, bytes_per_s=100, byte_burst=100).budget(0.0)
    assert budget is not None
    assert budget.charge(100, 0.0) == 0.0
    assert budget.charge(50, 0.0) == pytest.approx(1.0)  # frames: 1 s; bytes: 0.5 s
    assert budget.charge(400, 1.0) == pytest.approx(3.5)  # bytes: 350 overdrawn at 100/s; frames: 1 s


def test_no_rate_is_no_budget() -> None:
    assert Limits().budget(0.0) is None
    only_frames = Limits(frames_per_s=5, frame_burst=1).budget(0.0)
    assert only_frames is not None and only_frames.size is None
