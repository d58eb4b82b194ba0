"""A token bucket in front of LINE: this worker's share of the channel's rate, slowed down after a 429."""

from __future__ import annotations

import asyncio
import time

# How far a 429 cuts the rate, the floor it never goes below, and how fast it recovers (fraction per second).
SLOW_DOWN_FACTOR = 0.5
SLOWEST = 0.1
RECOVERY_PER_S = 0.25


class TokenBucket:
    """Hands out `rate` tokens a second on average; FIFO among waiters.

    The bucket holds a quarter of a second's worth (50 requests at 200/s), so a moment's stall (a slow
    database write, a garbage collection) is made up afterwards instead of lost: sending 600 batches takes
    3.0 s, not 3.0 s plus every stall. LINE's own limit is per second, so this stays within it.
    """

    def __init__(self, rate: float, burst_s: float = 0.25) -> None:
        self.base_rate = rate
        self.burst_s = burst_s
        self.factor = 1.0
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> float:
        """The rate in force now (the share, times any slow-down)."""
        return max(self.base_rate * self.factor, 0.01)

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate * self.burst_s)

    def set_rate(self, rate: float) -> None:
        """Change this worker's share of the channel's rate (when workers come and go)."""
        self._refill()
        self.base_rate = rate
        self.tokens = min(self.tokens, self.capacity)

    def slow_down(self) -> None:
        """LINE said 429 (rate): halve the pace for a while."""
        self._refill()
        self.factor = max(SLOWEST, self.factor * SLOW_DOWN_FACTOR)
        self.tokens = min(self.tokens, 0.0)

    def _refill(self) -> None:
        now = time.monotonic()
        elapsed = now - self.stamp
        self.stamp = now
        if self.factor < 1.0:
            self.factor = min(1.0, self.factor + elapsed * RECOVERY_PER_S)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)

    async def acquire(self) -> None:
        """Wait for a token and take it."""
        async with self._lock:
            while True:
                self._refill()
                if self.tokens >= 1.0:
                    self.tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self.tokens) / self.rate)
