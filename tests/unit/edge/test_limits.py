"""Connection limits of an edge node."""

from __future__ import annotations

from csms_edge.domain.limits import ConnectionLimits


def test_per_address_and_total_limits() -> None:
    limits = ConnectionLimits(max_total=3, max_per_address=2)
    assert limits.admit("a") and limits.admit("a")
    assert not limits.admit("a")
    assert limits.admit("b")
    assert not limits.admit("c")  # total reached
    limits.release("a")
    assert limits.admit("c")
    assert limits.total == 3 and limits.from_address("a") == 1


def test_a_trusted_proxy_counts_only_towards_the_total() -> None:
    limits = ConnectionLimits(max_total=5, max_per_address=1)
    assert all(limits.admit("10.0.0.1", per_address=False) for _ in range(5))
    assert not limits.admit("10.0.0.1", per_address=False)


def test_released_addresses_are_forgotten() -> None:
    limits = ConnectionLimits(max_total=5, max_per_address=1)
    limits.admit("a")
    limits.release("a")
    assert limits._by_address == {} and limits.total == 0
