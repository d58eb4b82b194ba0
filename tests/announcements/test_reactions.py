"""A member taps "รับทราบ" or "บอกต่อแล้ว" on a card: it is recorded once, and the reply says so in Thai."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.announcements.models import Acknowledgement
from boktor.announcements.reactions import acknowledgement_counts, handle_postback
from boktor.db import utcnow
from tests.announcements.helpers import add_announcement, add_member


def rows(session: Session, kind: str) -> int:
    return session.scalar(
        select(func.count()).select_from(Acknowledgement).where(Acknowledgement.kind == kind)
    )


def sent_announcement(session: Session):
    return add_announcement(session, title="วันดินโลก", status="sending", started_at=utcnow())


def test_acknowledging_twice_records_once_and_the_second_reply_says_already(session: Session) -> None:
    member = add_member(session)
    announcement = sent_announcement(session)
    first = handle_postback(session, member, {"action": "ack", "a": str(announcement.id)})
    session.commit()
    second = handle_postback(session, member, {"action": "ack", "a": str(announcement.id)})
    session.commit()
    assert first == [{"type": "text", "text": "บันทึกการรับทราบเรื่อง “วันดินโลก” เรียบร้อยแล้ว ขอบคุณที่ติดตามข่าวสาร"}]
    assert second == [{"type": "text", "text": "ท่านกดรับทราบเรื่อง “วันดินโลก” ไว้แล้ว ไม่ต้องกดซ้ำ ขอบคุณ"}]
    assert rows(session, "ack") == 1
    assert acknowledgement_counts(session, announcement.id)["acknowledged"] == 1


def test_relay_thanks_and_asks_how_many_citizens_were_told(session: Session) -> None:
    member = add_member(session)
    announcement = sent_announcement(session)
    [reply] = handle_postback(session, member, {"action": "relay", "a": str(announcement.id)})
    assert reply["text"].startswith("ขอบคุณที่ช่วยบอกต่อเรื่อง “วันดินโลก”")
    items = reply["quickReply"]["items"]
    assert [i["action"]["label"] for i in items] == ["1–10 คน", "11–50 คน", "มากกว่า 50 คน"]
    assert [i["action"]["data"] for i in items] == [
        f"action=reach&a={announcement.id}&n=1-10",
        f"action=reach&a={announcement.id}&n=11-50",
        f"action=reach&a={announcement.id}&n=over-50",
    ]
    [again] = handle_postback(session, member, {"action": "relay", "a": str(announcement.id)})
    assert "ไว้แล้ว" in again["text"] and again["quickReply"]
    [answer] = handle_postback(session, member, {"action": "reach", "a": str(announcement.id), "n": "11-50"})
    assert answer["text"] == "บันทึกแล้วว่าท่านบอกต่อเรื่อง “วันดินโลก” ถึงประชาชน ประมาณ 11–50 คน ขอบคุณ"
    session.commit()
    assert rows(session, "relay") == 1
    counts = acknowledgement_counts(session, announcement.id)
    assert counts["relayed"] == 1 and counts["acknowledged"] == 0
    assert counts["reach"] == {"1-10": 0, "11-50": 1, "over-50": 0, "unknown": 0}


def test_reach_can_be_corrected_and_stands_in_for_a_lost_relay_tap(session: Session) -> None:
    member = add_member(session)
    announcement = sent_announcement(session)
    handle_postback(session, member, {"action": "reach", "a": str(announcement.id), "n": "over-50"})
    handle_postback(session, member, {"action": "reach", "a": str(announcement.id), "n": "1-10"})
    session.commit()
    assert rows(session, "relay") == 1
    assert acknowledgement_counts(session, announcement.id)["reach"]["1-10"] == 1


def test_each_member_and_announcement_counts_separately(session: Session) -> None:
    one, two = add_member(session), add_member(session)
    first, second = sent_announcement(session), sent_announcement(session)
    for member in (one, two):
        handle_postback(session, member, {"action": "ack", "a": str(first.id)})
    handle_postback(session, one, {"action": "ack", "a": str(second.id)})
    session.commit()
    assert acknowledgement_counts(session, first.id)["acknowledged"] == 2
    assert acknowledgement_counts(session, second.id)["acknowledged"] == 1


def test_unknown_or_unsent_announcements_and_odd_postbacks_get_a_polite_reply(session: Session) -> None:
    member = add_member(session)
    draft = add_announcement(session)
    for params in ({"action": "ack", "a": "999"}, {"action": "ack", "a": str(draft.id)}, {"action": "ack"}):
        [reply] = handle_postback(session, member, params)
        assert reply["text"] == "ขออภัย ไม่พบข่าวสารนี้ในระบบ อาจถูกยกเลิกไปแล้ว"
    sent = sent_announcement(session)
    for params in (
        {"action": "dance", "a": str(sent.id)},
        {"action": "reach", "a": str(sent.id), "n": "999"},
    ):
        [reply] = handle_postback(session, member, params)
        assert reply["text"].startswith("ขออภัย ระบบไม่เข้าใจคำสั่งนี้")
    assert rows(session, "ack") == 0 and rows(session, "relay") == 0
