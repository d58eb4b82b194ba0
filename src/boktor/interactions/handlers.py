"""What Boktor does with each LINE event: member state changes and the reply to send (if any)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import select
from sqlalchemy.orm import Session

from boktor.announcements.models import Announcement, AnnouncementStatus
from boktor.config import Settings
from boktor.db import utcnow
from boktor.interactions import messages
from boktor.members.models import JoinedVia, Member, MemberStatus
from boktor.survey.links import survey_url
from boktor.thai import thai_date

MAX_REPLY_MESSAGES = 5  # LINE's limit per reply request
NEWS_COUNT = 5
ANNOUNCEMENT_ACTIONS = {"ack", "relay", "reach"}
# Topics a rich-menu postback may ask for directly (action=news etc.).
TOPICS = {topic for topic, _ in messages.KEYWORDS}


@dataclass
class Outcome:
    """The result of handling one event: its inbox status and the messages to reply with."""

    status: str = "done"
    replies: list[dict[str, Any]] = field(default_factory=list)


def handle_event(
    session: Session, settings: Settings, event: dict[str, Any], profile_name: str | None
) -> Outcome:
    """Apply one event to the member registry and decide the reply; the caller commits and sends."""
    kind = event.get("type")
    user_id = (event.get("source") or {}).get("userId")
    if not isinstance(user_id, str) or not user_id:
        return Outcome("ignored")  # group or room events without a user: nothing to do for Boktor
    if kind == "follow":
        return on_follow(session, settings, user_id, event, profile_name)
    if kind == "unfollow":
        return on_unfollow(session, user_id)
    if kind == "message":
        return on_message(session, settings, event.get("message") or {})
    if kind == "postback":
        return on_postback(session, settings, user_id, event.get("postback") or {})
    return Outcome("ignored")


def member_by_user(session: Session, user_id: str) -> Member | None:
    return session.scalar(select(Member).where(Member.line_user_id == user_id))


def on_follow(
    session: Session, settings: Settings, user_id: str, event: dict[str, Any], profile_name: str | None
) -> Outcome:
    """Create or reactivate the member; greet a newcomer, welcome back one who had answered."""
    now = utcnow()
    member = member_by_user(session, user_id)
    if member is None:
        member = Member(line_user_id=user_id, joined_via=JoinedVia.search)
        session.add(member)
    member.status = MemberStatus.follower
    member.followed_at = now
    if profile_name:
        member.display_name = profile_name[:200]
    session.flush()
    unblocked = bool((event.get("follow") or {}).get("isUnblocked"))
    if unblocked and member.surveyed_at is not None:
        return Outcome(replies=[messages.welcome_back()])
    return Outcome(replies=[messages.greeting(survey_url(settings))])


def on_unfollow(session: Session, user_id: str) -> Outcome:
    """The member blocked the account: keep them, marked blocked, so that nothing is sent to them."""
    member = member_by_user(session, user_id)
    if member is None:
        member = Member(line_user_id=user_id, joined_via=JoinedVia.search)
        session.add(member)
    member.status = MemberStatus.blocked
    member.unfollowed_at = utcnow()
    session.flush()
    return Outcome()


def keyword_of(text: str) -> str:
    """Which topic a typed text asks about (help when nothing matches)."""
    lowered = text.strip().lower()
    for topic, words in messages.KEYWORDS:
        if any(word in lowered for word in words):
            return topic
    return "help"


def on_message(session: Session, settings: Settings, message: dict[str, Any]) -> Outcome:
    """Answer typed text by keyword; anything else (stickers, images) gets a short pointer to help."""
    if message.get("type") != "text":
        return Outcome(replies=[messages.text(messages.NOT_UNDERSTOOD, quick=True)])
    return Outcome(replies=[answer(session, settings, keyword_of(str(message.get("text") or "")))])


def answer(session: Session, settings: Settings, topic: str) -> dict[str, Any]:
    """The reply for a topic a member asked about."""
    if topic == "survey":
        return messages.survey_card(survey_url(settings))
    if topic == "news":
        return messages.news(latest_news(session))
    if topic == "media":
        return messages.text(messages.MEDIA, quick=True)
    if topic == "contact":
        return messages.text(messages.CONTACT, quick=True)
    return messages.text(messages.HELP, quick=True)


def latest_news(session: Session, limit: int = NEWS_COUNT) -> list[str]:
    """The most recent announcements already sent, as "title (date)" lines."""
    sent = (AnnouncementStatus.completed, AnnouncementStatus.sending)
    rows = session.execute(
        select(Announcement.title, Announcement.started_at, Announcement.completed_at)
        .where(Announcement.status.in_(sent))
        .order_by(Announcement.started_at.desc().nulls_last(), Announcement.id.desc())
        .limit(limit)
    )
    return [_news_line(title, started or completed) for title, started, completed in rows]


def _news_line(title: str, when: datetime | None) -> str:
    return f"{title} ({thai_date(when)})" if when else title


def on_postback(session: Session, settings: Settings, user_id: str, postback: dict[str, Any]) -> Outcome:
    """Buttons: the survey link, or an announcement's รับทราบ / บอกต่อแล้ว handled by announcements."""
    member = member_by_user(session, user_id)
    if member is None:
        # Someone can tap a button before Boktor has seen them follow (e.g. an event lost before Boktor ran).
        member = Member(
            line_user_id=user_id,
            status=MemberStatus.follower,
            followed_at=utcnow(),
            joined_via=JoinedVia.search,
        )
        session.add(member)
        session.flush()
    params = dict(parse_qsl(str(postback.get("data") or ""), keep_blank_values=True))
    action = params.get("action", "")
    if action == "survey":
        return Outcome(replies=[messages.survey_card(survey_url(settings))])
    if action in ANNOUNCEMENT_ACTIONS:
        from boktor.announcements.reactions import handle_postback  # the announcements feature owns these

        return Outcome(replies=list(handle_postback(session, member, params))[:MAX_REPLY_MESSAGES])
    if action in TOPICS:
        return Outcome(replies=[answer(session, settings, action)])
    return Outcome(replies=[messages.text(messages.UNKNOWN_ACTION, quick=True)])
