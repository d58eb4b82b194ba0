"""Sending: push, multicast, broadcast, narrowcast and reply over real HTTP, with LINE's answers."""

from __future__ import annotations

import time
import uuid

import httpx

from tests.sim.simkit import RunningSim

TEXT = {"type": "text", "text": "ประกาศ: ประชุมประจำเดือน"}


def test_push_delivers_to_the_phone_with_a_request_id(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    response = api.post("/v2/bot/message/push", json={"to": friends[0], "messages": [TEXT]})
    assert response.status_code == 200
    assert response.json()["sentMessages"][0]["id"]
    request_id = response.headers["x-line-request-id"]
    items = running.client.inbox(friends[0])
    assert [(i["via"], i["request_id"], i["view"]["text"]) for i in items] == [
        ("push", request_id, TEXT["text"])
    ]


def test_multicast_delivers_to_every_friend_once_and_counts_quota(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    response = api.post("/v2/bot/message/multicast", json={"to": friends[:10], "messages": [TEXT, TEXT]})
    assert response.status_code == 200 and response.json() == {}
    stats = running.client.stats()
    assert stats["deliveries"] == 10 and stats["recipients"] == 10
    assert stats["quota"]["used"] == 10  # per recipient, not per message object
    assert len(running.client.inbox(friends[9])) == 2


def test_blocked_and_unknown_users_get_nothing_and_cost_nothing(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    running.client.unfollow(friends[0])
    try:
        stranger = "U" + "0" * 32
        push = api.post("/v2/bot/message/push", json={"to": friends[0], "messages": [TEXT]})
        multi = api.post(
            "/v2/bot/message/multicast", json={"to": [friends[0], stranger, friends[1]], "messages": [TEXT]}
        )
        assert (push.status_code, multi.status_code) == (200, 200)
        assert running.client.inbox(friends[0]) == []
        stats = running.client.stats()
        assert stats["deliveries"] == 1 and stats["quota"]["used"] == 1
    finally:
        running.client.follow(friends[0])


def test_same_message_twice_to_a_member_counts_as_duplicate(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    body = {"to": friends[:3], "messages": [TEXT]}
    assert api.post("/v2/bot/message/multicast", json=body).status_code == 200
    assert (
        api.post("/v2/bot/message/multicast", json={"to": friends[2:4], "messages": [TEXT]}).status_code
        == 200
    )
    other = {"to": friends[:3], "messages": [{"type": "text", "text": "อีกเรื่องหนึ่ง"}]}
    assert api.post("/v2/bot/message/multicast", json=other).status_code == 200
    stats = running.client.stats()
    assert stats["duplicates"] == 1 and stats["deliveries"] == 8 and stats["recipients"] == 4


def test_broadcast_reaches_all_friends(api: httpx.Client, running: RunningSim, friends: list[str]) -> None:
    response = api.post("/v2/bot/message/broadcast", json={"messages": [TEXT]})
    assert response.status_code == 200 and "x-line-request-id" in response.headers
    assert running.client.stats()["deliveries"] == len(friends)


def test_narrowcast_answers_202_and_reports_progress(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    response = api.post("/v2/bot/message/narrowcast", json={"messages": [TEXT], "limit": {"max": 5}})
    assert response.status_code == 202
    request_id = response.headers["x-line-request-id"]
    progress = api.get("/v2/bot/message/progress/narrowcast", params={"requestId": request_id}).json()
    assert progress["phase"] == "succeeded" and progress["successCount"] == 5 and progress["targetCount"] == 5
    assert api.get("/v2/bot/message/progress/narrowcast", params={"requestId": "nope"}).status_code == 404


def test_reply_token_works_once_within_its_lifetime(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    token = running.client.send_text(friends[0], "สวัสดีครับ")["event"]["replyToken"]
    first = api.post("/v2/bot/message/reply", json={"replyToken": token, "messages": [TEXT]})
    again = api.post("/v2/bot/message/reply", json={"replyToken": token, "messages": [TEXT]})
    assert first.status_code == 200 and first.json()["sentMessages"]
    assert (again.status_code, again.json()) == (400, {"message": "Invalid reply token"})
    assert [i["via"] for i in running.client.inbox(friends[0])] == ["reply"]
    assert running.client.stats()["quota"]["used"] == 0  # replies are free


def test_reply_token_expires(api: httpx.Client, running: RunningSim, friends: list[str]) -> None:
    # The shared simulator runs with --reply-token-ttl 2 so this does not wait LINE's full minute.
    token = running.client.postback(friends[1], "ack=1")["event"]["replyToken"]
    time.sleep(2.2)
    response = api.post("/v2/bot/message/reply", json={"replyToken": token, "messages": [TEXT]})
    assert (response.status_code, response.json()) == (400, {"message": "Invalid reply token"})
    assert (
        api.post("/v2/bot/message/reply", json={"replyToken": "0" * 32, "messages": [TEXT]}).status_code
        == 400
    )


def test_retry_key_repeat_answers_409_and_delivers_nothing(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    key = str(uuid.uuid4())
    body = {"to": friends[:5], "messages": [TEXT]}
    first = api.post("/v2/bot/message/multicast", json=body, headers={"X-Line-Retry-Key": key})
    second = api.post("/v2/bot/message/multicast", json=body, headers={"X-Line-Retry-Key": key})
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {"message": "The retry key is already accepted"}
    assert second.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    stats = running.client.stats()
    assert stats["deliveries"] == 5 and stats["duplicates"] == 0 and stats["retry_key_conflicts"] == 1
    push = api.post(
        "/v2/bot/message/push", json={"to": friends[0], "messages": [TEXT]}, headers={"X-Line-Retry-Key": key}
    )
    assert push.status_code == 409  # a key is the channel's, whatever the endpoint


def test_retry_key_only_where_allowed_and_only_a_uuid(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    token = running.client.send_text(friends[0], "ทดสอบ")["event"]["replyToken"]
    reply = api.post(
        "/v2/bot/message/reply",
        json={"replyToken": token, "messages": [TEXT]},
        headers={"X-Line-Retry-Key": str(uuid.uuid4())},
    )
    assert reply.status_code == 400
    bad = api.post(
        "/v2/bot/message/push",
        json={"to": friends[0], "messages": [TEXT]},
        headers={"X-Line-Retry-Key": "not-a-uuid"},
    )
    assert bad.status_code == 400
    assert running.client.stats()["deliveries"] == 0


def test_a_refused_request_does_not_use_up_its_retry_key(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    refused = api.post("/v2/bot/message/multicast", json={"to": friends[:2], "messages": []}, headers=key)
    accepted = api.post(
        "/v2/bot/message/multicast", json={"to": friends[:2], "messages": [TEXT]}, headers=key
    )
    assert (refused.status_code, accepted.status_code) == (400, 200)


def test_access_token_is_checked(running: RunningSim, friends: list[str]) -> None:
    body = {"to": friends[0], "messages": [TEXT]}
    with httpx.Client(base_url=running.url) as client:
        missing = client.post("/v2/bot/message/push", json=body)
        wrong = client.post("/v2/bot/message/push", json=body, headers={"Authorization": "Bearer wrong"})
    assert missing.status_code == 401 and "Authorization" in missing.json()["message"]
    assert wrong.status_code == 401 and wrong.json()["message"].startswith("Authentication failed")
    assert running.client.stats()["deliveries"] == 0


def test_profile_only_for_friends_and_bot_info(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    profile = api.get(f"/v2/bot/profile/{friends[0]}")
    assert (
        profile.status_code == 200
        and profile.json()["userId"] == friends[0]
        and profile.json()["displayName"]
    )
    assert api.get("/v2/bot/profile/U" + "f" * 32).status_code == 404
    info = api.get("/v2/bot/info").json()
    assert info["userId"].startswith("U") and len(info["userId"]) == 33 and info["chatMode"] == "bot"
