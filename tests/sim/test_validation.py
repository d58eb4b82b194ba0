"""Bodies are checked against LINE's limits and line-bot-sdk's models, answered in LINE's 400 shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sim.simkit import RunningSim

TEXT = {"type": "text", "text": "ทดสอบ"}


def bubble(text: str = "หัวข้อ") -> dict[str, Any]:
    return {
        "type": "bubble",
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [{"type": "text", "text": text, "weight": "bold"}],
        },
    }


def postback(data: str) -> dict[str, Any]:
    return {"type": "postback", "label": "รับทราบ", "data": data}


def quick_reply(n: int) -> dict[str, Any]:
    return {
        "type": "text",
        "text": "เลือก",
        "quickReply": {"items": [{"type": "action", "action": postback(f"choice={i}")} for i in range(n)]},
    }


def refused(api: httpx.Client, body: dict[str, Any]) -> list[dict[str, str]]:
    response = api.post("/v2/bot/message/multicast", json=body)
    assert response.status_code == 400, response.text
    data = response.json()
    assert data["message"].startswith("The request body has")
    return data["details"]


def properties(details: list[dict[str, str]]) -> set[str]:
    return {d["property"] for d in details}


@pytest.mark.parametrize(
    ("messages", "prop"),
    [
        ([TEXT] * 6, "messages"),
        ([], "messages"),
        ([{"type": "text", "text": "ก" * 5001}], "messages[0].text"),
        ([TEXT, quick_reply(14)], "messages[1].quickReply.items"),
        (
            [
                {
                    "type": "template",
                    "altText": "x",
                    "template": {"type": "buttons", "text": "t", "actions": [postback("d" * 301)]},
                }
            ],
            "messages[0].template.actions[0].data",
        ),
        ([{"type": "flex", "altText": "ก" * 1501, "contents": bubble()}], "messages[0].altText"),
        ([{"type": "flex", "altText": "x", "contents": bubble("ก" * 11000)}], "messages[0].contents"),
        (
            [{"type": "flex", "altText": "x", "contents": {"type": "carousel", "contents": [bubble()] * 13}}],
            "messages[0].contents.contents",
        ),
        (
            [
                {
                    "type": "flex",
                    "altText": "x",
                    "contents": {"type": "carousel", "contents": [bubble("ก" * 3000)] * 7},
                }
            ],
            "messages[0].contents",
        ),
        ([{"type": "nonsense"}], "messages[0].type"),
        ([{"type": "sticker", "packageId": 446}], "messages[0].packageId"),
    ],
)
def test_a_message_breaking_a_limit_is_refused(
    api: httpx.Client, friends: list[str], messages: list[Any], prop: str
) -> None:
    assert prop in properties(refused(api, {"to": friends[:1], "messages": messages}))


def test_limits_at_the_edge_are_accepted(api: httpx.Client, friends: list[str]) -> None:
    messages = [
        {"type": "text", "text": "ก" * 5000},
        quick_reply(13),
        {
            "type": "flex",
            "altText": "ก" * 1500,
            "contents": {"type": "carousel", "contents": [bubble()] * 12},
        },
        {
            "type": "template",
            "altText": "x",
            "template": {"type": "buttons", "text": "t", "actions": [postback("d" * 300)]},
        },
    ]
    response = api.post("/v2/bot/message/multicast", json={"to": friends[:500], "messages": messages})
    assert response.status_code == 200, response.text


def test_recipients_between_1_and_500_with_valid_user_ids(api: httpx.Client, friends: list[str]) -> None:
    many = [f"U{i:032x}" for i in range(501)]
    assert properties(refused(api, {"to": many, "messages": [TEXT]})) == {"to"}
    assert properties(refused(api, {"to": [], "messages": [TEXT]})) == {"to"}
    bad = [friends[0], "U123", "u" + "a" * 32, friends[1]]
    assert properties(refused(api, {"to": bad, "messages": [TEXT]})) == {"to[1]", "to[2]"}


def test_every_problem_is_listed(api: httpx.Client) -> None:
    details = refused(api, {"to": ["bad"], "messages": [{"type": "text", "text": ""}]})
    assert properties(details) == {"to[0]", "messages[0].text"}
    assert all(d["message"] for d in details)


def test_aggregation_unit_name_is_checked(api: httpx.Client, friends: list[str]) -> None:
    details = refused(api, {"to": friends[:1], "messages": [TEXT], "customAggregationUnits": ["ไม่ใช่ ascii"]})
    assert properties(details) == {"customAggregationUnits[0]"}


def test_body_over_2_mb_is_413(api: httpx.Client, running: RunningSim, friends: list[str]) -> None:
    body = b'{"to": ["%s"], "messages": [{"type": "text", "text": "%s"}]}' % (
        friends[0].encode(),
        b"a" * (2 * 1024 * 1024),
    )
    response = api.post(
        "/v2/bot/message/multicast", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert running.client.stats()["deliveries"] == 0


def test_not_json_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/v2/bot/message/push", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "message" in response.json()
