"""Per-endpoint rate limits (token buckets) and the monthly message quota."""

from __future__ import annotations

import time


class TokenBucket:
    """A bucket holding up to one second's worth of requests (or the hourly allowance), refilled continuously."""

    def __init__(self, rate: float | None) -> None:
        self.set_rate(rate)

    def set_rate(self, rate: float | None) -> None:
        """Change the rate in requests per second; None lifts the limit."""
        self.rate = rate
        # LINE's hourly limits (60/h) allow the whole hour's allowance at once, per-second ones a second's worth.
        self.capacity = 0.0 if rate is None else max(1.0, rate if rate >= 1 else rate * 3600)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> bool:
        """Take one token; False means the request is over the limit."""
        if self.rate is None:
            return True
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimits:
    """One token bucket per rate-limited endpoint."""

    def __init__(self, rates: dict[str, float], lifted: bool = False) -> None:
        self.buckets = {name: TokenBucket(None if lifted else rate) for name, rate in rates.items()}

    def take(self, endpoint: str) -> bool:
        """Take a token from the endpoint's bucket (endpoints without a bucket are unlimited)."""
        bucket = self.buckets.get(endpoint)
        return bucket is None or bucket.take()

    def set(self, endpoint: str, rate: float | None) -> None:
        """Set one endpoint's rate (None lifts it)."""
        bucket = self.buckets.get(endpoint)
        if bucket is None:
            self.buckets[endpoint] = TokenBucket(rate)
        else:
            bucket.set_rate(rate)

    def refill(self) -> None:
        """Fill every bucket, as after a quiet period."""
        for bucket in self.buckets.values():
            bucket.set_rate(bucket.rate)

    def describe(self) -> dict[str, float | None]:
        """Return each endpoint's rate in requests per second."""
        return {name: bucket.rate for name, bucket in self.buckets.items()}


class Quota:
    """The monthly message quota, counted per recipient."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0

    def fits(self, count: int) -> bool:
        """Whether `count` more recipients fit in this month's quota."""
        return self.limit is None or self.used + count <= self.limit

    def describe(self) -> dict[str, object]:
        """Return the quota as the control API shows it."""
        return {"type": "none" if self.limit is None else "limited", "value": self.limit, "used": self.used}
