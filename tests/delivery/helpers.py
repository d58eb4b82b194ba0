"""What the delivery tests share: members who are phones in the simulator, announcements ready to send."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.config import Settings
from boktor.db import transaction, utcnow
from boktor.delivery.ledger import start_delivery
from boktor.delivery.models import Batch, Delivery, DeliveryAttempt
from boktor.delivery.worker import Progress, run_worker
from boktor.members.models import Member, MemberStatus
from tests.apprunner import demo_settings
from tests.sim.simkit import RunningSim


def add_members(session: Session, line_user_ids: list[str], status: str = MemberStatus.follower) -> None:
    """Members who follow the account, one per LINE user ID (bulk insert)."""
    now = utcnow()
    session.execute(
        insert(Member),
        [
            {
                "line_user_id": uid,
                "status": status,
                "joined_via": "search",
                "created_at": now,
                "updated_at": now,
            }
            for uid in line_user_ids
        ],
    )


def followers(_announcement: Any = None, _purpose: str | None = None) -> Any:
    """The (member id, LINE user id) of every follower: the audience of these tests (the ledger asks this)."""
    return select(Member.id, Member.line_user_id).where(Member.status == MemberStatus.follower)


def new_announcement(session: Session, title: str = "ประชุมประจำเดือน", **fields: Any) -> Announcement:
    """An approved announcement, moved to sending as `boktor announce send` does."""
    values = {
        "title": title,
        "body": "ขอเชิญผู้ใหญ่บ้านทุกหมู่บ้านร่วมประชุมประจำเดือน ณ ที่ว่าการอำเภอ เวลา 09.00 น.",
        "category": "news",
        "status": AnnouncementStatus.sending,
        "started_at": utcnow(),
        **fields,
    }
    announcement = Announcement(**values)
    session.add(announcement)
    session.flush()
    return announcement


def send_to_followers(
    url: str, purpose: str = "announcement", limit: int | None = None, **fields: Any
) -> int:
    """Create an announcement, write its ledger for every follower and commit; return its id."""
    with transaction(url) as session:
        announcement = new_announcement(session, **fields)
        start_delivery(session, announcement, purpose, followers, limit=limit)
        return announcement.id


def settings_for(url: str, sim: RunningSim, **overrides: Any) -> Settings:
    """Boktor's settings on a test database, talking to the simulator."""
    return demo_settings(
        url, LINE_API_BASE_URL=sim.url, LINE_CHANNEL_ACCESS_TOKEN=sim.access_token, **overrides
    )


def work(settings: Settings, **options: Any) -> Progress:
    """Run a worker until nothing is left to send."""
    return asyncio.run(run_worker(settings, until_idle=True, **options))


def announcement(url: str, announcement_id: int) -> Announcement:
    with transaction(url) as session:
        return session.get(Announcement, announcement_id)


def batches(url: str, announcement_id: int) -> list[Batch]:
    with transaction(url) as session:
        return list(
            session.scalars(select(Batch).where(Batch.announcement_id == announcement_id).order_by(Batch.seq))
        )


def attempts(url: str, announcement_id: int) -> list[DeliveryAttempt]:
    with transaction(url) as session:
        return list(
            session.scalars(
                select(DeliveryAttempt)
                .join(Batch, Batch.id == DeliveryAttempt.batch_id)
                .where(Batch.announcement_id == announcement_id)
                .order_by(DeliveryAttempt.id)
            )
        )


def batch_members(session: Session, batch: Batch) -> list[int]:
    """The member ids of a batch's ledger rows: its announcement's and purpose's rows in its member id range."""
    return list(
        session.scalars(
            select(Delivery.member_id).where(
                Delivery.announcement_id == batch.announcement_id,
                Delivery.purpose == batch.purpose,
                Delivery.member_id.between(batch.first_member_id, batch.last_member_id),
            )
        )
    )


def ledger_statuses(url: str, announcement_id: int) -> dict[str, int]:
    """How many recipients are sent, failed, pending or skipped: each row takes its batch's outcome."""
    status = case((Delivery.skipped, "skipped"), else_=Batch.status)
    with transaction(url) as session:
        rows = session.execute(
            select(status, func.count())
            .join(Batch, Batch.id == Delivery.batch_id)
            .where(Delivery.announcement_id == announcement_id)
            .group_by(status)
        )
        return dict(rows.all())
