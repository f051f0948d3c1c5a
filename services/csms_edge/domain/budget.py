"""A station connection's budget of frames and bytes per second (security review finding #7): two token
buckets, refilled continuously up to their burst. Charging a frame may overdraw them; the answer is how long
the connection must then stop reading so that the average stays within the rates. The session waits that long
before its next read: the frames already read are handled, none is dropped, and the station is slowed by TCP
back-pressure (its socket is not read), never answered with an error. Pure; the caller gives the time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    rate: float  # tokens per second
    burst: float  # most tokens held
    tokens: float
    stamp: float  # when `tokens` was last brought up to date

    def charge(self, amount: float, now: float) -> float:
        """Takes `amount` tokens; returns the seconds until the balance is back to zero (0: within budget)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= amount
        return -self.tokens / self.rate if self.tokens < 0 else 0.0


@dataclass(frozen=True, slots=True)
class Limits:
    """The budget of every station connection; a rate of 0 is no limit."""

    frames_per_s: float = 0.0
    frame_burst: float = 1.0
    bytes_per_s: float = 0.0
    byte_burst: float = 1.0

    def budget(self, now: float) -> Budget | None:
        """A new connection's budget (full buckets), or None when nothing is limited."""
        frames = TokenBucket(self.frames_per_s, self.frame_burst, self.frame_burst, now) if self.frames_per_s else None
        size = TokenBucket(self.bytes_per_s, self.byte_burst, self.byte_burst, now) if self.bytes_per_s else None
        return Budget(frames, size) if frames or size else None


@dataclass(slots=True)
class Budget:
    frames: TokenBucket | None
    size: TokenBucket | None

    def charge(self, size: int, now: float) -> float:
        """Charges one frame of `size` bytes; returns how long to stop reading (seconds, 0: go on)."""
        wait = self.frames.charge(1, now) if self.frames is not None else 0.0
        if self.size is not None:
            wait = max(wait, self.size.charge(size, now))
        return wait
