"""What a member sees on the phone: the announcement card, its buttons, and reminders, within LINE's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from sqlalchemy.orm import Session

from boktor.announcements.cards import ALT_TEXT_MAX, BUBBLE_BYTES_MAX, bubble_bytes, messages_for, shorten
from boktor.announcements.models import Announcement
from tests.announcements.helpers import add_announcement

THAI_SENTENCE = "กระทรวงมหาดไทยขอให้ทุกจังหวัดเร่งประชาสัมพันธ์โครงการบำบัดทุกข์บำรุงสุขแก่ประชาชนในพื้นที่ "


def texts(node) -> list[str]:
    """Every text in a Flex tree, in order."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "text":
            found.append(node["text"])
        for value in node.values():
            found += texts(value)
    elif isinstance(node, list):
        for value in node:
            found += texts(value)
    return found


def buttons(bubble: dict) -> list[dict]:
    return [item["action"] for item in bubble["footer"]["contents"]]


def make(**fields) -> Announcement:
    values = {"id": 12, "title": "ข้อสั่งการเรื่องการเตรียมรับมืออุทกภัย", "body": "ให้ทุกอำเภอเตรียมพร้อม",
              "category": "directive", "audience": {}} | fields  # fmt: skip
    return Announcement(**values)


def test_the_card_has_category_title_body_deadline_and_the_three_buttons() -> None:
    announcement = make(
        image_url="https://example.go.th/flood.jpg",
        link_url="https://www.moi.go.th/flood",
        ack_deadline=datetime(2019, 1, 15, 3, 0, tzinfo=UTC),
    )
    [card] = messages_for(announcement)
    assert card["type"] == "flex"
    assert card["altText"] == "ข้อสั่งการ: ข้อสั่งการเรื่องการเตรียมรับมืออุทกภัย"
    bubble = card["contents"]
    assert bubble["hero"]["url"] == "https://example.go.th/flood.jpg"
    shown = texts(bubble["body"])
    assert shown[:3] == ["ข้อสั่งการ", "ข้อสั่งการเรื่องการเตรียมรับมืออุทกภัย", "ให้ทุกอำเภอเตรียมพร้อม"]
    assert "โปรดรับทราบภายใน 15 มกราคม 2562" in shown
    assert buttons(bubble) == [
        {"type": "postback", "label": "รับทราบ", "data": "action=ack&a=12", "displayText": "รับทราบ"},
        {"type": "postback", "label": "บอกต่อแล้ว", "data": "action=relay&a=12", "displayText": "บอกต่อแล้ว"},
        {"type": "uri", "label": "อ่านเพิ่มเติม", "uri": "https://www.moi.go.th/flood"},
    ]


def test_without_image_link_or_deadline_the_card_has_only_what_was_written() -> None:
    [card] = messages_for(make(category="knowledge"))
    bubble = card["contents"]
    assert "hero" not in bubble
    assert [b["label"] for b in buttons(bubble)] == ["รับทราบ", "บอกต่อแล้ว"]
    assert not any("โปรดรับทราบภายใน" in t for t in texts(bubble))
    assert texts(bubble)[0] == "องค์ความรู้"


def test_a_5000_character_thai_body_fits_lines_limits_and_nothing_is_lost() -> None:
    body = (THAI_SENTENCE * 80)[:5000]
    assert len(body) == 5000
    announcement = make(body=body, image_url="https://example.go.th/a.jpg", link_url="https://moi.go.th/x")
    card, full = messages_for(announcement)
    assert len(card["altText"]) <= ALT_TEXT_MAX
    assert bubble_bytes(card["contents"]) <= BUBBLE_BYTES_MAX
    shown = texts(card["contents"])
    assert shown[2].endswith("…") and len(shown[2]) <= 1000
    assert "อ่านต่อฉบับเต็มในข้อความถัดไป" in shown
    assert full["type"] == "text" and len(full["text"]) <= 5000
    # The second message carries the whole body, word for word.
    assert full["text"] == body.strip()
    # A shorter long body also carries its title in the full text.
    _, full = messages_for(make(body=body[:3000]))
    assert full["text"] == f"{make().title}\n\n{body[:3000].strip()}"


def test_shortening_never_strands_a_thai_vowel_or_tone_mark() -> None:
    text = "ก่" * 20
    for limit in range(3, 30):
        cut = shorten(text, limit)
        assert len(cut) <= limit
        assert cut.endswith("…") and cut[:-1].endswith("ก่")


def test_a_reminder_is_short_and_carries_the_same_buttons() -> None:
    announcement = make(started_at=datetime(2025, 12, 1, 2, 0, tzinfo=UTC), image_url="https://x.go.th/i.jpg")
    [card] = messages_for(announcement, "reminder-2")
    assert card["altText"] == "แจ้งเตือน: โปรดกดรับทราบเรื่อง ข้อสั่งการเรื่องการเตรียมรับมืออุทกภัย"
    bubble = card["contents"]
    assert "hero" not in bubble
    shown = texts(bubble)
    assert shown[0] == "แจ้งเตือน · ข้อสั่งการ (ครั้งที่ 2)"
    assert "1 ธันวาคม 2568" in shown[2]
    assert [b["data"] for b in buttons(bubble)] == ["action=ack&a=12", "action=relay&a=12"]


def test_the_simulator_accepts_the_card_by_lines_rules(sim, session: Session) -> None:
    """LINE's own validation (as the simulator applies it) accepts the longest possible announcement."""
    body = (THAI_SENTENCE * 80)[:5000]
    announcement = add_announcement(
        session,
        title="ก" * 200,
        body=body,
        category="clarification",
        image_url="https://example.go.th/" + "a" * 1900 + ".jpg",
        link_url="https://www.moi.go.th/" + "b" * 1900,
        ack_deadline=datetime(2026, 1, 15, tzinfo=UTC),
        started_at=datetime(2025, 12, 1, tzinfo=UTC),
    )
    user = sim.client.create_users(count=1, state="friend")[0]["userId"]
    for purpose in ("announcement", "reminder-1"):
        payload = {"to": [user], "messages": messages_for(announcement, purpose)}
        response = httpx.post(
            f"{sim.url}/v2/bot/message/multicast", json=payload, headers=sim.auth, timeout=10
        )
        assert response.status_code == 200, response.text
    inbox = sim.client.inbox(user)
    assert [item["view"]["buttons"][0]["label"] for item in inbox if item["view"].get("buttons")] == [
        "รับทราบ",
        "รับทราบ",
    ]
    # And LINE would refuse a card that broke its rules: the simulator checks for real.
    broken = messages_for(announcement)[0] | {"altText": "ก" * 1501}
    response = httpx.post(
        f"{sim.url}/v2/bot/message/multicast", json={"to": [user], "messages": [broken]}, headers=sim.auth
    )
    assert response.status_code == 400
    assert "altText" in json.dumps(response.json())
