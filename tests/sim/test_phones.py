"""Virtual phones: population, inbox views as a member reads them, and tapping buttons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sim.simkit import RunningSim, SimError, WebhookCatcher

CARD = {
    "type": "flex",
    "altText": "ประกาศ: ฝึกอบรม อช.",
    "contents": {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "text", "text": "ฝึกอบรมผู้นำ อช.", "weight": "bold", "size": "xl"},
                {"type": "text", "text": "วันที่ 5 ธันวาคม 2569 ณ ศาลากลางจังหวัดเชียงราย"},
            ],
        },
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {"type": "button", "action": {"type": "postback", "label": "รับทราบ", "data": "ack=41"}},
                {"type": "button", "action": {"type": "postback", "label": "บอกต่อแล้ว", "data": "relay=41"}},
                {
                    "type": "button",
                    "action": {"type": "uri", "label": "อ่านต่อ", "uri": "https://example.go.th/a/41"},
                },
            ],
        },
    },
}
QUICK = {
    "type": "text",
    "text": "ต้องการรับข่าวเรื่องใด",
    "quickReply": {
        "items": [
            {"type": "action", "action": {"type": "message", "label": "เกษตร", "text": "เกษตร"}},
            {"type": "action", "action": {"type": "postback", "label": "สุขภาพ", "data": "topic=health"}},
        ]
    },
}
TEMPLATE = {
    "type": "template",
    "altText": "ยืนยัน",
    "template": {
        "type": "confirm",
        "text": "เข้าร่วมประชุมหรือไม่",
        "actions": [
            {"type": "postback", "label": "เข้าร่วม", "data": "rsvp=yes"},
            {"type": "postback", "label": "ไม่เข้าร่วม", "data": "rsvp=no"},
        ],
    },
}


def push(api: httpx.Client, user: str, *messages: dict[str, Any]) -> None:
    assert api.post("/v2/bot/message/push", json={"to": user, "messages": list(messages)}).status_code == 200


def test_generated_phones_have_thai_names_and_line_user_ids(sim_factory: Callable[..., RunningSim]) -> None:
    sim = sim_factory(users=25)
    listed = sim.client.users(limit=10, offset=20)
    assert listed["total"] == 25 and len(listed["users"]) == 5
    for user in listed["users"]:
        assert (
            len(user["userId"]) == 33 and user["userId"].startswith("U") and user["state"] == "never-followed"
        )
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in user["displayName"])
    created = sim.client.create_users(
        users=[{"displayName": "กำนันสมปอง"}, {"userId": "U" + "a" * 32, "displayName": "ผู้ใหญ่บ้าน"}]
    )
    assert created[1]["userId"] == "U" + "a" * 32 and sim.client.users()["total"] == 27
    assert len(sim.client.create_users(count=3, state="friend")) == 3
    assert sim.client.users(state="friend")["total"] == 3


def test_phones_from_a_file(sim_factory: Callable[..., RunningSim], tmp_path: Path) -> None:
    path = tmp_path / "phones.json"
    path.write_text(
        json.dumps(
            [
                {"userId": "U" + "1" * 32, "displayName": "นายทดสอบ"},
                {"userId": "U" + "2" * 32, "displayName": "นางทดลอง", "state": "friend"},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    csv_path = tmp_path / "phones.csv"
    csv_path.write_text("userId,displayName\nU" + "3" * 32 + ",นายซีเอสวี\n", encoding="utf-8")
    sim = sim_factory(users_file=path)
    assert [(u["displayName"], u["state"]) for u in sim.client.users()["users"]] == [
        ("นายทดสอบ", "never-followed"),
        ("นางทดลอง", "friend"),
    ]
    assert sim_factory(users_file=csv_path).client.users()["users"][0]["displayName"] == "นายซีเอสวี"


def test_inbox_shows_what_the_member_reads(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    push(api, friends[0], CARD, TEMPLATE, QUICK)
    card, template, quick = running.client.inbox(friends[0])
    assert card["via"] == "push" and card["message"] == CARD and card["at"].endswith("Z")
    assert card["view"]["title"] == "ฝึกอบรมผู้นำ อช." and "ศาลากลางจังหวัดเชียงราย" in card["view"]["body"]
    assert card["view"]["alt_text"] == "ประกาศ: ฝึกอบรม อช."
    assert [b["label"] for b in card["view"]["buttons"]] == ["รับทราบ", "บอกต่อแล้ว", "อ่านต่อ"]
    assert template["view"]["body"] == "เข้าร่วมประชุมหรือไม่" and len(template["view"]["buttons"]) == 2
    assert [q["label"] for q in quick["view"]["quick_replies"]] == ["เกษตร", "สุขภาพ"]


def test_tapping_buttons(running: RunningSim, api: httpx.Client, friends: list[str]) -> None:
    user = friends[0]
    push(api, user, CARD)
    ack = running.client.tap(user, "รับทราบ")
    assert ack["action"]["type"] == "postback" and ack["event"]["postback"]["data"] == "ack=41"
    assert ack["event"]["replyToken"] and ack["message_id"] == running.client.inbox(user)[0]["id"]
    link = running.client.tap(user, "อ่านต่อ")
    assert link["uri"] == "https://example.go.th/a/41" and link["event"] is None
    push(api, user, QUICK)
    said = running.client.tap(user, "เกษตร")
    assert said["event"]["type"] == "message" and said["event"]["message"]["text"] == "เกษตร"
    # The card's buttons stay tappable after newer messages arrive.
    assert running.client.tap(user, "บอกต่อแล้ว")["event"]["postback"]["data"] == "relay=41"


def test_quick_replies_vanish_when_a_newer_message_arrives(
    running: RunningSim, api: httpx.Client, friends: list[str]
) -> None:
    push(api, friends[0], QUICK)
    push(api, friends[0], {"type": "text", "text": "ข้อความใหม่"})
    with pytest.raises(SimError) as missing:
        running.client.tap(friends[0], "สุขภาพ")
    assert missing.value.status == 404


def test_tapping_a_chosen_message(running: RunningSim, api: httpx.Client, friends: list[str]) -> None:
    push(api, friends[0], TEMPLATE)
    push(api, friends[0], TEMPLATE)
    first = running.client.inbox(friends[0])[0]["id"]
    assert running.client.tap(friends[0], "ไม่เข้าร่วม", message_id=first)["message_id"] == first


def test_phone_state_rules(running: RunningSim, friends: list[str]) -> None:
    with pytest.raises(SimError) as already:
        running.client.follow(friends[0])
    assert already.value.status == 409
    running.client.unfollow(friends[0])
    try:
        with pytest.raises(SimError):
            running.client.send_text(friends[0], "บล็อกแล้วส่งไม่ได้")
    finally:
        running.client.follow(friends[0])
    with pytest.raises(SimError) as unknown:
        running.client.follow("U" + "9" * 32)
    assert unknown.value.status == 404


def test_deliveries_and_webhook_log(sim_factory: Callable[..., RunningSim]) -> None:
    with WebhookCatcher(status=204) as catcher:
        sim = sim_factory(webhook_url=catcher.url, users=2, users_state="friend")
        users = sim.client.user_ids()
        with httpx.Client(base_url=sim.url, headers=sim.auth) as api:
            api.post(
                "/v2/bot/message/multicast", json={"to": users, "messages": [{"type": "text", "text": "ก"}]}
            )
        sim.client.send_text(users[0], "ข")
        catcher.wait_for(1)
    records = sim.client.deliveries()
    assert (
        len(records) == 1
        and records[0]["via"] == "multicast"
        and sorted(records[0]["recipients"]) == sorted(users)
    )
    assert sim.client.deliveries(user_id=users[1])[0]["request_id"] == records[0]["request_id"]
    assert [(w["type"], w["status"]) for w in sim.client.webhooks()] == [("message", 204)]


def test_reset_keeps_phones_and_clears_the_rest(
    running: RunningSim, api: httpx.Client, friends: list[str]
) -> None:
    push(api, friends[0], QUICK)
    running.client.reset()
    assert running.client.inbox(friends[0]) == [] and running.client.stats()["deliveries"] == 0
    assert running.client.users()["total"] == 30
