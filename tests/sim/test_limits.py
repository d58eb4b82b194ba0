"""Rate limits per endpoint and the monthly quota, counted per recipient."""

from __future__ import annotations

import httpx
import pytest

from tests.sim.simkit import RunningSim, SimError

TEXT = {"type": "text", "text": "แจ้งเตือน"}
RATE_BODY = {"message": "The API rate limit has been exceeded. Try again later."}
QUOTA_BODY = {"message": "You have reached your monthly limit."}


def test_default_limits_are_lines(running: RunningSim) -> None:
    limits = running.client.set_limits()
    assert limits["multicast"] == 200 and limits["push"] == 2000 and limits["reply"] == 2000
    assert abs(limits["broadcast"] * 3600 - 60) < 1e-9 and abs(limits["narrowcast"] * 3600 - 60) < 1e-9


def test_over_the_rate_limit_is_429_with_lines_body(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    running.client.set_limits(multicast=5)
    answers = [
        api.post("/v2/bot/message/multicast", json={"to": friends[:2], "messages": [TEXT]}) for _ in range(12)
    ]
    limited = [a for a in answers if a.status_code == 429]
    assert 5 <= sum(a.status_code == 200 for a in answers) <= 7
    assert limited and all(a.json() == RATE_BODY for a in limited)
    stats = running.client.stats()
    assert stats["rate_limited"] == len(limited)
    # Other endpoints have their own buckets.
    assert api.post("/v2/bot/message/push", json={"to": friends[0], "messages": [TEXT]}).status_code == 200


def test_broadcast_is_limited_per_hour(api: httpx.Client, running: RunningSim) -> None:
    running.client.set_limits(broadcast=2 / 3600)
    codes = [api.post("/v2/bot/message/broadcast", json={"messages": [TEXT]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_lifted_limits(api: httpx.Client, running: RunningSim, friends: list[str]) -> None:
    running.client.set_limits(multicast=None)
    codes = {
        api.post("/v2/bot/message/multicast", json={"to": friends[:1], "messages": [TEXT]}).status_code
        for _ in range(30)
    }
    assert codes == {200}


def test_quota_endpoints_and_refusal_when_a_request_does_not_fit(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    assert api.get("/v2/bot/message/quota").json() == {"type": "none"}
    running.client.set_quota(10)
    assert api.get("/v2/bot/message/quota").json() == {"type": "limited", "value": 10}
    assert (
        api.post("/v2/bot/message/multicast", json={"to": friends[:8], "messages": [TEXT]}).status_code == 200
    )
    over = api.post("/v2/bot/message/multicast", json={"to": friends[8:11], "messages": [TEXT]})
    assert (over.status_code, over.json()) == (429, QUOTA_BODY)
    assert api.get("/v2/bot/message/quota/consumption").json() == {"totalUsage": 8}
    fits = api.post("/v2/bot/message/multicast", json={"to": friends[8:10], "messages": [TEXT]})
    assert fits.status_code == 200
    stats = running.client.stats()
    assert stats["quota_refused"] == 1 and stats["deliveries"] == 10 and stats["quota"]["used"] == 10


def test_reply_is_free_and_blocked_users_are_not_counted(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    running.client.set_quota(1, used=1)
    token = running.client.send_text(friends[0], "ขอข้อมูล")["event"]["replyToken"]
    assert (
        api.post("/v2/bot/message/reply", json={"replyToken": token, "messages": [TEXT]}).status_code == 200
    )
    running.client.unfollow(friends[1])
    try:
        blocked = api.post("/v2/bot/message/push", json={"to": friends[1], "messages": [TEXT]})
        assert blocked.status_code == 200
    finally:
        running.client.follow(friends[1])
    assert api.post("/v2/bot/message/push", json={"to": friends[1], "messages": [TEXT]}).status_code == 429
    assert running.client.stats()["quota"]["used"] == 1


def test_reply_tokens_for_self_made_events_are_accepted_once_each(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    """A load generator posting its own signed events asks for tokens LINE would have sent with them."""
    first, second = running.client.reply_tokens(friends[:2])
    reply = {"replyToken": first, "messages": [TEXT]}
    assert api.post("/v2/bot/message/reply", json=reply).status_code == 200
    assert api.post("/v2/bot/message/reply", json=reply).status_code == 400  # spent
    assert running.client.inbox(friends[0])[-1]["message"]["text"] == TEXT["text"]
    assert api.post("/v2/bot/message/reply", json={**reply, "replyToken": second}).status_code == 200
    with pytest.raises(SimError, match="no phone"):
        running.client.reply_tokens(["U" + "0" * 32])
