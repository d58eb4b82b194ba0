"""What members do with an announcement in the chat: acknowledge it, say they passed it on, and to how many."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from boktor.announcements import messages as th
from boktor.announcements.cards import postback_data
from boktor.announcements.models import Acknowledgement, Announcement
from boktor.db import utcnow
from boktor.members.models import Member

ACTIONS = ("ack", "relay", "reach")


def _text(text: str, quick_replies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "text", "text": text}
    if quick_replies:
        message["quickReply"] = {"items": quick_replies}
    return message


def record(
    session: Session, announcement_id: int, member_id: int, kind: str, reach: str | None = None
) -> bool:
    """Insert one acknowledgement row unless it exists (a repeat is harmless); True if it is new."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {"announcement_id": announcement_id, "member_id": member_id, "kind": kind, "at": utcnow()}
    if reach is not None:
        values["reach"] = reach
    statement = (
        insert(Acknowledgement)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["announcement_id", "member_id", "kind"])
        .returning(Acknowledgement.id)
    )
    # RETURNING gives a row only when the insert happened (rowcount is unreliable across drivers).
    return session.execute(statement).scalar() is not None


def _reach_quick_replies(announcement_id: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "action",
            "action": {
                "type": "postback",
                "label": label,
                "data": postback_data("reach", announcement_id, n=code),
                "displayText": label,
            },
        }
        for code, (label, _) in th.REACH_BUCKETS.items()
    ]


def _announcement(session: Session, params: dict[str, str]) -> Announcement | None:
    raw = str(params.get("a", "")).strip()
    if not raw.isdigit():
        return None
    announcement = session.get(Announcement, int(raw))
    # Only what was actually sent can be acknowledged; a draft's buttons never reach anyone.
    if announcement is None or announcement.started_at is None:
        return None
    return announcement


def handle_postback(session: Session, member: Member, params: dict[str, str]) -> list[dict[str, Any]]:
    """Record an ack, relay or reach postback for `member` and return the Thai reply (LINE message dicts)."""
    action = params.get("action")
    if action not in ACTIONS:
        return [_text(th.UNKNOWN_ACTION)]
    announcement = _announcement(session, params)
    if announcement is None:
        return [_text(th.UNKNOWN_ANNOUNCEMENT)]
    title = announcement.title
    if action == "ack":
        new = record(session, announcement.id, member.id, "ack")
        return [_text((th.ACK_THANKS if new else th.ACK_ALREADY).format(title=title))]
    if action == "relay":
        new = record(session, announcement.id, member.id, "relay")
        text = (th.RELAY_THANKS if new else th.RELAY_ALREADY).format(title=title)
        return [_text(text, _reach_quick_replies(announcement.id))]
    bucket = params.get("n", "")
    if bucket not in th.REACH_BUCKETS:
        return [_text(th.UNKNOWN_ACTION)]
    # The reach answer implies the relay: record it if the relay tap itself was lost.
    if not record(session, announcement.id, member.id, "relay", reach=bucket):
        session.execute(
            update(Acknowledgement)
            .where(
                Acknowledgement.announcement_id == announcement.id,
                Acknowledgement.member_id == member.id,
                Acknowledgement.kind == "relay",
            )
            .values(reach=bucket)
        )
    return [_text(th.REACH_THANKS.format(title=title, bucket=th.REACH_BUCKETS[bucket][1]))]


def acknowledgement_counts(session: Session, announcement_id: int) -> dict[str, Any]:
    """How many members acknowledged and relayed, with the relays' reach buckets."""
    rows = session.execute(
        select(Acknowledgement.kind, Acknowledgement.reach, func.count())
        .where(Acknowledgement.announcement_id == announcement_id)
        .group_by(Acknowledgement.kind, Acknowledgement.reach)
    ).all()
    counts = {"acknowledged": 0, "relayed": 0}
    reach = {code: 0 for code in th.REACH_BUCKETS} | {"unknown": 0}
    for kind, bucket, number in rows:
        if kind == "ack":
            counts["acknowledged"] += number
        elif kind == "relay":
            counts["relayed"] += number
            reach[bucket if bucket in reach else "unknown"] += number
    return {**counts, "reach": reach}
