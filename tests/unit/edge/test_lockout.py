"""The handshake lockout policy (docs/adr/0025, review finding #5)."""

from __future__ import annotations

from csms_edge.domain.lockout import LockoutPolicy, Lockouts

POLICY = LockoutPolicy(
    pair_free=3, base_s=1.0, pair_max_s=8.0, address_free=10, address_max_s=30.0, station_free=20, station_s=5.0
)


def fail(lockouts: Lockouts, times: int, station_id: str, address: str, now: float) -> list[float]:
    return [lockouts.failed(station_id, address, now) for _ in range(times)]


def test_a_pair_is_locked_after_its_free_failures_doubling_up_to_the_maximum() -> None:
    lockouts = Lockouts(POLICY)
    assert fail(lockouts, 3, "CS-1", "198.51.100.7", 0.0) == [0.0, 0.0, 0.0]
    assert lockouts.locked_for("CS-1", "198.51.100.7", 0.0) == 0.0
    assert fail(lockouts, 5, "CS-1", "198.51.100.7", 0.0) == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert lockouts.locked_for("CS-1", "198.51.100.7", 1.0) == 7.0
    assert lockouts.locked_for("CS-1", "198.51.100.7", 8.0) == 0.0


def test_another_address_of_the_same_station_is_not_locked_by_a_pair_lockout() -> None:
    lockouts = Lockouts(POLICY)
    fail(lockouts, 6, "CS-1", "203.0.113.66", 0.0)
    assert lockouts.locked_for("CS-1", "203.0.113.66", 0.0) > 0
    assert lockouts.locked_for("CS-1", "198.51.100.7", 0.0) == 0.0


def test_a_success_forgets_the_failures_of_its_pair() -> None:
    lockouts = Lockouts(POLICY)
    fail(lockouts, 3, "CS-1", "198.51.100.7", 0.0)
    lockouts.succeeded("CS-1", "198.51.100.7", 0.0)
    assert fail(lockouts, 3, "CS-1", "198.51.100.7", 0.0) == [0.0, 0.0, 0.0]


def test_password_spraying_locks_the_address_for_every_station_id() -> None:
    lockouts = Lockouts(POLICY)
    for i in range(10):
        assert lockouts.failed(f"CS-{i}", "203.0.113.66", 0.0) == 0.0
    assert lockouts.failed("CS-10", "203.0.113.66", 0.0) == 1.0
    assert lockouts.locked_for("CS-99", "203.0.113.66", 0.5) == 0.5
    assert lockouts.locked_for("CS-99", "198.51.100.7", 0.5) == 0.0


def test_failures_from_many_addresses_lock_the_station_id_briefly_but_not_its_known_good_address() -> None:
    lockouts = Lockouts(POLICY)
    lockouts.succeeded("CS-1", "198.51.100.7", 0.0)
    for i in range(20):
        assert lockouts.failed("CS-1", f"203.0.113.{i}", 1.0) == 0.0
    assert lockouts.failed("CS-1", "203.0.113.200", 1.0) == 5.0
    assert lockouts.locked_for("CS-1", "192.0.2.1", 2.0) == 4.0  # a new address waits (briefly)
    assert lockouts.locked_for("CS-1", "198.51.100.7", 2.0) == 0.0  # the station's own address does not
    assert lockouts.locked_for("CS-1", "192.0.2.1", 6.0) == 0.0


def test_failures_outside_the_window_are_forgotten() -> None:
    lockouts = Lockouts(LockoutPolicy(pair_free=1, window_s=10.0))
    assert lockouts.failed("CS-1", "a", 0.0) == 0.0
    assert lockouts.failed("CS-1", "a", 20.0) == 0.0
    assert lockouts.failed("CS-1", "a", 21.0) > 0


def test_records_are_bounded() -> None:
    lockouts = Lockouts(LockoutPolicy(max_tracked=100))
    for i in range(1_000):
        lockouts.failed(f"CS-{i}", f"10.0.{i // 256}.{i % 256}", 0.0)
        lockouts.succeeded(f"CS-{i}", f"10.0.{i // 256}.{i % 256}", 0.0)
    assert len(lockouts._pairs) <= 100 and len(lockouts._addresses) <= 100 and len(lockouts._good) <= 100
