"""The monthly message quota: how many messages LINE still lets the channel send, and what an audience costs."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from boktor.config import Settings
from boktor.line.api import messaging_api

T = TypeVar("T")


class QuotaUnavailable(RuntimeError):
    """LINE could not be asked about the quota; the message says why."""


@dataclass(frozen=True)
class Quota:
    """LINE's monthly quota as reported, less what Boktor has queued but not yet sent."""

    limit: int | None  # None: LINE sets no monthly limit on this channel
    used: int
    queued: int = 0

    @property
    def remaining(self) -> int | None:
        """Messages that can still be sent this month (None: no limit)."""
        if self.limit is None:
            return None
        return max(0, self.limit - self.used - self.queued)

    def fits(self, recipients: int) -> bool:
        return self.remaining is None or recipients <= self.remaining

    def as_dict(self) -> dict[str, int | None]:
        return {"limit": self.limit, "used": self.used, "queued": self.queued, "remaining": self.remaining}


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, even when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # Inside the worker's event loop: run in a helper thread with a loop of its own.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def fetch_quota(settings: Settings) -> Quota:
    """Ask LINE for the monthly quota and this month's consumption."""
    try:
        async with messaging_api(settings) as api:
            quota = await api.get_message_quota()
            consumption = await api.get_message_quota_consumption()
    except Exception as error:  # the SDK raises several kinds; all mean "LINE did not answer usefully"
        reason = getattr(error, "reason", None) or str(error).splitlines()[0]
        raise QuotaUnavailable(
            f"Could not read the monthly message quota from LINE at {settings.line_api_base_url} ({reason})."
        ) from error
    limit = quota.value if quota.type == "limited" else None
    return Quota(limit=limit, used=consumption.total_usage or 0)


def queued_messages(session: Session) -> int:
    """Recipients of announcements sending or paused, not yet sent: they will use quota before this one."""
    from boktor.delivery.status import pending_recipients

    return pending_recipients(session)


def current_quota(session: Session, settings: Settings) -> Quota:
    """LINE's quota less what is already queued in Boktor's ledger."""
    reported = run_sync(fetch_quota(settings))
    return Quota(limit=reported.limit, used=reported.used, queued=queued_messages(session))


def refusal(audience: int, quota: Quota) -> str:
    """The plain-words refusal when an audience does not fit the remaining quota."""
    queued = f" ({quota.queued:,} more are already queued to send)" if quota.queued else ""
    return (
        f"This audience is {audience:,} people but only {quota.remaining:,} messages are left this month"
        f" (LINE's limit is {quota.limit:,}, {quota.used:,} used){queued}. Narrow the audience, raise the plan"
        " in LINE Official Account Manager, or send with --partial (API: allow_partial) to reach the first"
        f" {quota.remaining:,}."
    )
