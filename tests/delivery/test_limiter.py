"""The token bucket keeps a worker at its share of LINE's rate, and slows down after a 429."""

from __future__ import annotations

import asyncio
import time

from boktor.delivery.limiter import TokenBucket


async def _take(bucket: TokenBucket, count: int) -> float:
    started = time.monotonic()
    await asyncio.gather(*(bucket.acquire() for _ in range(count)))
    return time.monotonic() - started


async def test_seventy_five_requests_at_a_hundred_a_second_take_half_a_second_after_the_burst():
    bucket = TokenBucket(100)
    assert bucket.capacity == 25  # a quarter of a second's worth goes at once
    elapsed = await _take(bucket, 75)
    assert 0.4 <= elapsed <= 0.9


async def test_a_smaller_share_is_slower():
    bucket = TokenBucket(100, burst_s=0)
    bucket.set_rate(50)
    assert 0.4 <= await _take(bucket, 25) <= 0.9


async def test_after_a_429_the_pace_halves_and_then_recovers():
    bucket = TokenBucket(100)
    bucket.slow_down()
    assert bucket.rate == 50
    await asyncio.sleep(0.4)
    bucket._refill()
    assert 50 < bucket.rate <= 100
