"""Webhooks from virtual phones: LINE's fields, a signature the official SDK accepts, retries, redelivery."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, UnfollowEvent

from tests.sim.simkit import RunningSim, WebhookCatcher

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def parse(sim: RunningSim, request: dict[str, Any]) -> list[Any]:
    """Parse a caught webhook with LINE's SDK, which also checks the signature."""
    signature = {k.lower(): v for k, v in request["headers"].items()}["x-line-signature"]
    return WebhookParser(sim.channel_secret).parse(request["body"].decode(), signature)


def test_phone_actions_post_signed_webhooks_the_sdk_parses(sim_factory: Callable[..., RunningSim]) -> None:
    with WebhookCatcher() as catcher:
        sim = sim_factory(webhook_url=catcher.url, users=1, channel_secret="s3cret-ช่อง")
        user = sim.client.user_ids()[0]
        follow = sim.client.follow(user)
        assert follow["webhook_status"] == 200
        sim.client.send_text(user, "สวัสดีค่ะ")
        sim.client.postback(user, "action=ack&announcement=7", params={"date": "2026-01-31"})
        sim.client.unfollow(user)
        again = sim.client.follow(user)
        caught = catcher.wait_for(5)
    events = [parse(sim, request)[0] for request in caught]
    assert [type(e) for e in events] == [FollowEvent, MessageEvent, PostbackEvent, UnfollowEvent, FollowEvent]
    assert events[0].follow.is_unblocked is False and events[4].follow.is_unblocked is True
    assert again["event"]["follow"] == {"isUnblocked": True}
    assert events[1].message.text == "สวัสดีค่ะ" and events[1].message.quote_token
    assert events[2].postback.data == "action=ack&announcement=7" and events[2].postback.params == {
        "date": "2026-01-31"
    }
    assert all(e.source.user_id == user for e in events)
    assert "replyToken" not in json.loads(caught[3]["body"])["events"][0]
    assert all(e.reply_token for e in (events[0], events[1], events[2]))
    body = json.loads(caught[0]["body"])
    assert body["destination"].startswith("U") and len(body["destination"]) == 33
    event = body["events"][0]
    assert event["mode"] == "active" and ULID.match(event["webhookEventId"])
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert abs(event["timestamp"] - follow["event"]["timestamp"]) == 0 and event["timestamp"] > 1.7e12


def test_a_wrong_secret_fails_the_sdk_signature_check(sim_factory: Callable[..., RunningSim]) -> None:
    from linebot.v3.exceptions import InvalidSignatureError

    with WebhookCatcher() as catcher:
        sim = sim_factory(webhook_url=catcher.url, users=1)
        sim.client.follow(sim.client.user_ids()[0])
        request = catcher.wait_for(1)[0]
    signature = {k.lower(): v for k, v in request["headers"].items()}["x-line-signature"]
    try:
        WebhookParser("another-secret").parse(request["body"].decode(), signature)
    except InvalidSignatureError:
        pass
    else:
        raise AssertionError("signature accepted under the wrong secret")


def test_a_webhook_without_2xx_is_retried_as_redelivery(sim_factory: Callable[..., RunningSim]) -> None:
    with WebhookCatcher(status=lambda index: 500 if index < 2 else 200) as catcher:
        sim = sim_factory(webhook_url=catcher.url, users=1, webhook_retry_delays="0.1,0.2,0.3")
        result = sim.client.follow(sim.client.user_ids()[0])
        caught = catcher.wait_for(3, timeout=5)
    assert result["webhook_status"] == 500
    events = [json.loads(r["body"])["events"][0] for r in caught]
    assert len({e["webhookEventId"] for e in events}) == 1
    assert [e["deliveryContext"]["isRedelivery"] for e in events] == [False, True, True]
    attempts = sim.client.webhooks()
    assert [a["status"] for a in attempts] == [500, 500, 200]
    assert sim.client.stats()["webhooks"] == {"sent": 3, "ok": 1, "failed": 2}


def test_an_unreachable_webhook_is_recorded_and_retried(sim_factory: Callable[..., RunningSim]) -> None:
    sim = sim_factory(webhook_url="http://127.0.0.1:9/line/webhook", users=1, webhook_retry_delays="0.05")
    result = sim.client.follow(sim.client.user_ids()[0])
    assert result["webhook_status"] is None
    # An attempt is listed as soon as it starts; its error once the connection has failed.
    for _ in range(100):
        attempts = sim.client.webhooks()
        if len(attempts) == 2 and all(a["error"] for a in attempts):
            break
        time.sleep(0.05)
    assert len(attempts) == 2 and all(a["error"] for a in attempts) and attempts[1]["isRedelivery"] is True


def test_a_test_can_force_a_redelivery(sim_factory: Callable[..., RunningSim]) -> None:
    with WebhookCatcher() as catcher:
        sim = sim_factory(webhook_url=catcher.url, users=1)
        event = sim.client.send_text(sim.client.user_ids()[0], "ส่งซ้ำ")["event"]
        again = sim.client.redeliver(event["webhookEventId"])
        caught = catcher.wait_for(2)
    assert again["webhook_status"] == 200 and again["event"]["deliveryContext"] == {"isRedelivery": True}
    first, second = (json.loads(r["body"])["events"][0] for r in caught)
    assert first["webhookEventId"] == second["webhookEventId"]
    assert second["deliveryContext"]["isRedelivery"] is True and second["message"] == first["message"]


def test_without_a_webhook_url_events_still_happen(sim: RunningSim) -> None:
    user = sim.client.user_ids()[0]
    result = sim.client.follow(user)
    assert result["webhook_status"] is None and result["event"]["type"] == "follow"
    assert sim.client.users()["users"][0]["state"] == "friend"
