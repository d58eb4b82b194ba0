"""What a member does in the chat and sees on the phone: join, leave, come back, type, tap (real simulator, real app)."""

from __future__ import annotations

from sqlalchemy import select

from boktor.announcements.models import Announcement
from boktor.db import transaction, utcnow
from boktor.interactions import messages
from boktor.interactions.models import InboxEvent
from boktor.members.models import Member
from boktor.survey.links import survey_url
from tests.interactions.harness import Line, wait_until


def replies(line: Line, user_id: str, count: int) -> list[dict]:
    """Wait until the phone has `count` messages in its inbox (all via the free reply API); their views."""
    items = wait_until(lambda: (lambda got: got if len(got) >= count else None)(line.client.inbox(user_id)))
    assert all(item["via"] == "reply" for item in items)
    return [item["view"] for item in items]


def member(line: Line, user_id: str) -> Member | None:
    with transaction(line.settings.database_url) as session:
        return session.scalar(select(Member).where(Member.line_user_id == user_id))


def test_a_new_member_follows_and_gets_the_greeting_with_the_survey_button(line: Line, boktor: str) -> None:
    user = line.phone("วิไล ศรีสุข")
    assert line.client.follow(user)["webhook_status"] == 200

    [greeting] = replies(line, user, 1)
    assert greeting["title"] == messages.GREETING_TITLE
    assert "ข้อสั่งการ" in greeting["body"] and "บอกต่อ" in greeting["body"]
    assert greeting["buttons"] == [{"label": "ตอบแบบสำรวจ", "type": "uri", "uri": survey_url(line.settings)}]
    joined = member(line, user)
    assert joined.status == "follower" and joined.followed_at is not None
    assert joined.display_name == "วิไล ศรีสุข"  # from LINE's profile API
    assert line.client.stats()["quota"]["used"] == 0  # replies cost no quota


def test_a_member_who_blocks_is_kept_blocked_and_one_who_answered_gets_a_welcome_back(
    line: Line, boktor: str
) -> None:
    user = line.phone()
    line.client.follow(user)
    replies(line, user, 1)
    line.client.unfollow(user)
    blocked = wait_until(lambda: (lambda m: m if m.status == "blocked" else None)(member(line, user)))
    assert blocked.unfollowed_at is not None

    with transaction(line.settings.database_url) as session:  # the member answered the survey earlier
        session.scalar(select(Member).where(Member.line_user_id == user)).surveyed_at = utcnow()
    line.client.follow(user)
    views = replies(line, user, 2)
    assert views[1]["text"] == messages.WELCOME_BACK
    assert member(line, user).status == "follower"


def test_a_member_who_unblocks_without_answering_is_greeted_again(line: Line, boktor: str) -> None:
    user = line.phone()
    line.client.follow(user)
    replies(line, user, 1)
    line.client.unfollow(user)
    wait_until(lambda: member(line, user).status == "blocked")
    line.client.follow(user)
    views = replies(line, user, 2)
    assert views[1]["title"] == messages.GREETING_TITLE


def test_typed_keywords_are_answered(line: Line, boktor: str) -> None:
    user = line.phone()
    line.client.follow(user)
    replies(line, user, 1)

    line.client.send_text(user, "ขอดูข่าวหน่อยครับ")
    assert replies(line, user, 2)[-1]["text"] == messages.NO_NEWS

    with transaction(line.settings.database_url) as session:
        session.add(
            Announcement(
                title="ประชาสัมพันธ์การลงทะเบียนแก้ไขปัญหาหนี้นอกระบบ", body="…", category="policy",
                status="completed", started_at=utcnow(), completed_at=utcnow(),
            )
        )  # fmt: skip
    line.client.send_text(user, "ข่าวสาร")
    news = replies(line, user, 3)[-1]["text"]
    assert news.startswith(messages.NEWS_HEADER) and "หนี้นอกระบบ" in news

    line.client.send_text(user, "แบบสำรวจ")
    card = replies(line, user, 4)[-1]
    assert card["title"] == messages.SURVEY_TITLE and card["buttons"][0]["uri"] == survey_url(line.settings)

    line.client.send_text(user, "ติดต่อ")
    assert "1567" in replies(line, user, 5)[-1]["text"]

    line.client.send_text(user, "สวัสดีครับ")
    help_view = replies(line, user, 6)[-1]
    assert help_view["text"] == messages.HELP
    assert [q["label"] for q in help_view["quick_replies"]] == ["ข่าวสาร", "แบบสำรวจ", "สื่อประชาสัมพันธ์", "ติดต่อ"]

    line.client.tap(user, "แบบสำรวจ")  # the quick reply is a postback action=survey
    assert replies(line, user, 7)[-1]["title"] == messages.SURVEY_TITLE


def test_a_postback_from_someone_not_yet_a_member_creates_the_member(line: Line, boktor: str) -> None:
    user = line.phone(state="friend")  # a friend whose follow Boktor never saw
    line.client.postback(user, "action=survey")
    [card] = replies(line, user, 1)
    assert card["buttons"][0]["uri"] == survey_url(line.settings)
    assert member(line, user).status == "follower"

    line.client.postback(user, "action=dance")
    assert replies(line, user, 2)[-1]["text"] == messages.UNKNOWN_ACTION


def test_acknowledging_an_announcement_is_recorded_through_the_announcements_feature(
    line: Line, boktor: str
) -> None:
    user = line.phone()
    line.client.follow(user)
    replies(line, user, 1)
    with transaction(line.settings.database_url) as session:
        announcement = Announcement(
            title="ข้อสั่งการเรื่องการเตรียมรับมืออุทกภัย", body="…", category="urgent",
            status="completed", started_at=utcnow(),
        )  # fmt: skip
        session.add(announcement)
        session.flush()
        announcement_id = announcement.id
    line.client.postback(user, f"action=ack&a={announcement_id}")
    confirmation = replies(line, user, 2)[-1]
    assert confirmation["text"]  # the announcements feature words it

    from boktor.announcements.models import Acknowledgement

    with transaction(line.settings.database_url) as session:
        kinds = session.scalars(
            select(Acknowledgement.kind).where(Acknowledgement.announcement_id == announcement_id)
        )
        assert list(kinds) == ["ack"]


def test_every_event_is_kept_in_the_inbox_and_marked_handled(line: Line, boktor: str) -> None:
    user = line.phone()
    line.client.follow(user)
    line.client.send_text(user, "ช่วยเหลือ")
    replies(line, user, 2)
    with transaction(line.settings.database_url) as session:
        rows = wait_until(
            lambda: (lambda r: r if all(x.status == "done" for x in r) and len(r) == 2 else None)(
                list(session.scalars(select(InboxEvent).where(InboxEvent.line_user_id == user)))
            )
        )
        assert sorted(row.event_type for row in rows) == ["follow", "message"]
        assert all(row.attempts == 1 and row.error is None for row in rows)


def test_a_greeting_whose_reply_token_expired_is_pushed_once(line: Line, boktor: str, monkeypatch) -> None:
    # As after a burst of joins: the event waited in the inbox longer than LINE keeps a reply token.
    monkeypatch.setattr("boktor.interactions.processor.REPLY_TOKEN_MAX_AGE_MS", -1)
    user = line.phone("มาลี ทองมา")
    assert line.client.follow(user)["webhook_status"] == 200

    [item] = wait_until(lambda: line.client.inbox(user) or None)
    assert item["via"] == "push" and item["view"]["title"] == messages.GREETING_TITLE
    assert (
        line.client.stats()["quota"]["used"] == 1
    )  # a push costs one message; nobody is left without the link
    with transaction(line.settings.database_url) as session:
        row = session.scalars(select(InboxEvent).where(InboxEvent.line_user_id == user)).one()
    assert row.status == "done" and "pushed instead of replied" in (row.error or "")
