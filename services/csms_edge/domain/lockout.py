"""Brute-force protection of the handshake (security review finding #5) as a pure policy: failed handshakes are
counted per (station id, source address), per source address and per station id, each with its own lockout.

- (id, address): after `pair_free` failures, locked for `base_s`, doubling per further failure up to `pair_max_s`.
- address: after `address_free` failures (any ids), locked likewise up to `address_max_s` (password spraying).
- id: after `station_free` failures from all addresses, locked for `station_s` only, and never for an address
  the station succeeded from within `window_s`: an attacker cannot keep a genuine station out for long.
A success forgets the (id, address) and id failures; failures older than `window_s` are forgotten. Attempts
during a lockout are not verified and do not count. At most `max_tracked` records of each kind are kept (the
least recently touched go first). No I/O; the clock is passed in.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    pair_free: int = 3
    base_s: float = 1.0
    pair_max_s: float = 60.0
    address_free: int = 20
    address_max_s: float = 60.0
    station_free: int = 50
    station_s: float = 5.0
    window_s: float = 600.0
    max_tracked: int = 100_000


@dataclass(slots=True)
class _Record:
    failures: int
    last_failure_at: float
    locked_until: float


class _Counters(Generic[K]):
    """Failure records by key, least recently touched first, at most `max_tracked`."""

    def __init__(self, max_tracked: int, window_s: float) -> None:
        self._records: OrderedDict[K, _Record] = OrderedDict()
        self._max_tracked = max_tracked
        self._window_s = window_s

    def __len__(self) -> int:
        return len(self._records)

    def locked_until(self, key: K, now: float) -> float:
        record = self._records.get(key)
        return record.locked_until if record is not None and record.locked_until > now else 0.0

    def fail(self, key: K, now: float) -> int:
        """Counts a failure; returns the failures in the window, this one included."""
        record = self._records.get(key)
        if record is None or now - record.last_failure_at > self._window_s:
            record = _Record(0, now, 0.0)
            self._records[key] = record
        record.failures += 1
        record.last_failure_at = now
        self._records.move_to_end(key)
        while len(self._records) > self._max_tracked:
            self._records.popitem(last=False)
        return record.failures

    def lock(self, key: K, until: float) -> None:
        record = self._records.get(key)
        if record is not None:
            record.locked_until = max(record.locked_until, until)

    def forget(self, key: K) -> None:
        self._records.pop(key, None)


def _doubling(failures: int, free: int, base_s: float, max_s: float) -> float:
    """The lockout after `failures` failures when `free` are free: 0, then base, 2 x base, ... up to max."""
    over = failures - free
    return 0.0 if over <= 0 else min(max_s, base_s * 2 ** min(over - 1, 32))


class Lockouts:
    def __init__(self, policy: LockoutPolicy) -> None:
        self.policy = policy
        self._pairs: _Counters[tuple[str, str]] = _Counters(policy.max_tracked, policy.window_s)
        self._addresses: _Counters[str] = _Counters(policy.max_tracked, policy.window_s)
        self._stations: _Counters[str] = _Counters(policy.max_tracked, policy.window_s)
        # (station id, address) -> when the station last succeeded from that address
        self._good: OrderedDict[tuple[str, str], float] = OrderedDict()

    def locked_for(self, station_id: str, address: str, now: float) -> float:
        """Seconds the attempt must still wait (0: verify it)."""
        until = max(self._pairs.locked_until((station_id, address), now), self._addresses.locked_until(address, now))
        good = self._good.get((station_id, address))
        if good is None or now - good > self.policy.window_s:
            until = max(until, self._stations.locked_until(station_id, now))
        return max(0.0, until - now)

    def failed(self, station_id: str, address: str, now: float) -> float:
        """Counts a failed handshake; returns the lockout it starts now (0: none)."""
        policy = self.policy
        pair_failures = self._pairs.fail((station_id, address), now)
        address_failures = self._addresses.fail(address, now)
        pair = _doubling(pair_failures, policy.pair_free, policy.base_s, policy.pair_max_s)
        by_address = _doubling(address_failures, policy.address_free, policy.base_s, policy.address_max_s)
        by_station = policy.station_s if self._stations.fail(station_id, now) > policy.station_free else 0.0
        self._pairs.lock((station_id, address), now + pair)
        self._addresses.lock(address, now + by_address)
        self._stations.lock(station_id, now + by_station)
        return max(pair, by_address, by_station)

    def succeeded(self, station_id: str, address: str, now: float) -> None:
        self._pairs.forget((station_id, address))
        self._stations.forget(station_id)
        self._good[(station_id, address)] = now
        self._good.move_to_end((station_id, address))
        while len(self._good) > self.policy.max_tracked:
            self._good.popitem(last=False)
