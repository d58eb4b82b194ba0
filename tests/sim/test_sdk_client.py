"""LINE's official Python SDK as a client of the simulator: it must work exactly as against LINE."""

from __future__ import annotations

import uuid

import pytest
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    MulticastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)

from tests.sim.simkit import RunningSim


def sdk(sim: RunningSim) -> AsyncApiClient:
    return AsyncApiClient(Configuration(host=sim.url, access_token=sim.access_token))


async def test_multicast_with_retry_key_then_the_same_key_again(
    running: RunningSim, friends: list[str]
) -> None:
    key = str(uuid.uuid4())
    request = MulticastRequest(to=friends[:20], messages=[TextMessage(text="ประกาศจากกระทรวง")])
    async with sdk(running) as client:
        api = AsyncMessagingApi(client)
        first = await api.multicast_with_http_info(request, x_line_retry_key=key)
        assert first.status_code == 200
        request_id = first.headers["x-line-request-id"]
        with pytest.raises(ApiException) as conflict:
            await api.multicast_with_http_info(request, x_line_retry_key=key)
    assert conflict.value.status == 409
    assert conflict.value.headers["x-line-accepted-request-id"] == request_id
    stats = running.client.stats()
    assert stats["deliveries"] == 20 and stats["duplicates"] == 0


async def test_push_reply_profile_quota_and_info(running: RunningSim, friends: list[str]) -> None:
    token = running.client.send_text(friends[0], "ขอแบบสอบถาม")["event"]["replyToken"]
    async with sdk(running) as client:
        api = AsyncMessagingApi(client)
        pushed = await api.push_message(
            PushMessageRequest(to=friends[1], messages=[TextMessage(text="ถึงท่าน")])
        )
        replied = await api.reply_message(
            ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="ตอบกลับ")])
        )
        profile = await api.get_profile(friends[1])
        quota = await api.get_message_quota()
        used = await api.get_message_quota_consumption()
        info = await api.get_bot_info()
    assert pushed.sent_messages[0].id and replied.sent_messages[0].id
    assert profile.user_id == friends[1] and profile.display_name
    assert quota.type == "none" and used.total_usage == 1
    assert info.user_id.startswith("U") and info.chat_mode == "bot"
    assert running.client.inbox(friends[0])[0]["view"]["text"] == "ตอบกลับ"


async def test_errors_reach_the_sdk_as_api_exceptions_with_lines_body(
    running: RunningSim, friends: list[str]
) -> None:
    running.client.set_quota(5)
    async with sdk(running) as client:
        api = AsyncMessagingApi(client)
        with pytest.raises(ApiException) as quota:
            await api.multicast(MulticastRequest(to=friends[:6], messages=[TextMessage(text="เกินโควตา")]))
        with pytest.raises(ApiException) as bad:
            await api.push_message(PushMessageRequest(to="Unot-a-user", messages=[TextMessage(text="x")]))
    assert quota.value.status == 429 and "monthly limit" in quota.value.body
    assert bad.value.status == 400 and '"property":"to"' in bad.value.body
