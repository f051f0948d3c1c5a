"""Capped exponential backoff with jitter, for the loops that retry a failed batch (call runners,
projections, the edge's delivery consumer): the first retry comes after about `initial_s`, each next one waits
up to twice as long, never more than `maximum_s`, and each delay is drawn uniformly from its upper half, so
instances that failed together do not retry together. `reset()` after a success. No I/O.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    __slots__ = ("_attempts", "_initial_s", "_maximum_s", "_random")

    def __init__(
        self, *, initial_s: float = 0.5, maximum_s: float = 30.0, rand: Callable[[], float] = random.random
    ) -> None:
        if initial_s <= 0 or maximum_s < initial_s:
            raise ValueError("backoff needs 0 < initial_s <= maximum_s")
        self._initial_s = initial_s
        self._maximum_s = maximum_s
        self._random = rand
        self._attempts = 0

    @property
    def attempts(self) -> int:
        """Failures since the last reset."""
        return self._attempts

    def next(self) -> float:
        """The delay before the next retry (seconds); counts a failure."""
        ceiling: float = min(self._maximum_s, self._initial_s * 2.0 ** min(self._attempts, 32))
        self._attempts += 1
        return ceiling * (0.5 + 0.5 * self._random())

    def reset(self) -> None:
        self._attempts = 0
