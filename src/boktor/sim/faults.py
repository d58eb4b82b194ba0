"""Injected network faults: latency with jitter, 500 answers, dropped connections, accepted-then-lost answers."""

from __future__ import annotations

import random
from typing import Any

FAULT_FIELDS = ("latency_ms", "jitter_ms", "error_rate", "drop_rate", "lost_rate")


class Faults:
    """The current fault settings and the dice that apply them to each Messaging API request."""

    def __init__(
        self,
        rng: random.Random,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        error_rate: float = 0.0,
        drop_rate: float = 0.0,
        lost_rate: float = 0.0,
    ) -> None:
        self.rng = rng
        self.latency_ms = latency_ms
        self.jitter_ms = jitter_ms
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self.lost_rate = lost_rate
        self._refresh()

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; unknown or out-of-range fields raise ValueError."""
        for name, value in changes.items():
            if name not in FAULT_FIELDS:
                raise ValueError(f"unknown fault {name!r}")
            value = float(value or 0.0)
            if value < 0 or (name.endswith("_rate") and value > 1):
                raise ValueError(f"{name} out of range")
            setattr(self, name, value)
        if self.error_rate + self.drop_rate + self.lost_rate > 1:
            raise ValueError("error_rate + drop_rate + lost_rate must not exceed 1")
        self._refresh()

    def _refresh(self) -> None:
        # One flag so the hot path skips all of this when nothing is injected.
        self.active = any(getattr(self, name) for name in FAULT_FIELDS)

    def delay(self) -> float:
        """Return the added latency for one request, in seconds."""
        if not self.latency_ms and not self.jitter_ms:
            return 0.0
        return max(0.0, self.latency_ms + self.rng.uniform(-self.jitter_ms, self.jitter_ms)) / 1000

    def roll(self) -> str | None:
        """Decide this request's fate: None, 'error', 'drop' or 'lost'."""
        x = self.rng.random()
        if x < self.error_rate:
            return "error"
        x -= self.error_rate
        if x < self.drop_rate:
            return "drop"
        x -= self.drop_rate
        if x < self.lost_rate:
            return "lost"
        return None

    def describe(self) -> dict[str, float]:
        """Return the current settings."""
        return {name: getattr(self, name) for name in FAULT_FIELDS}
