"""Start-up settings of the simulator."""

from __future__ import annotations

from dataclasses import dataclass, field

# LINE's published per-channel limits, in requests per second.
DEFAULT_RATES: dict[str, float] = {
    "reply": 2000.0,
    "push": 2000.0,
    "multicast": 200.0,
    "narrowcast": 60 / 3600,
    "broadcast": 60 / 3600,
    "statistics": 60 / 3600,
}


@dataclass
class SimSettings:
    """Everything the simulator needs to start: address, channel credentials, population, limits, faults."""

    host: str = "127.0.0.1"
    port: int = 8091
    channel_secret: str = "sim-channel-secret"
    access_token: str = "sim-access-token"
    webhook_url: str | None = None
    login_channel_id: str = "1234567890"
    users: int = 20
    users_file: str | None = None
    users_state: str = "never-followed"
    monthly_quota: int | None = None
    rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RATES))
    no_limits: bool = False
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    lost_rate: float = 0.0
    seed: int | None = None
    webhook_timeout: float = 2.0
    webhook_retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0)
    reply_token_ttl: float = 60.0
    bot_name: str = "บอกต่อ (จำลอง)"
    # The LIFF app's endpoint URL: tapping a link to it (or to https://liff.line.me/...) opens it
    # with an ID token for the phone, as LINE's in-app browser does.
    liff_endpoint: str | None = None
