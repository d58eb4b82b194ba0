"""Each answer LINE can give a multicast, as the simulator gives it over real HTTP, classified for the engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from boktor.line.multicast import Outcome, check_messages, classify_error, multicast_client, send_multicast
from tests.apprunner import demo_settings
from tests.sim.simkit import RunningSim, start_sim

HELLO = check_messages([{"type": "text", "text": "สวัสดีครับ"}])


@pytest.fixture(scope="module")
def line() -> Iterator[RunningSim]:
    with start_sim(users=3, users_state="friend", seed=3) as running:
        yield running


@pytest.fixture
def fresh(line: RunningSim) -> RunningSim:
    line.client.reset(settings=True)
    return line


async def send(sim: RunningSim, messages=HELLO, key: str | None = None, **options):
    settings = demo_settings(
        "sqlite://", LINE_API_BASE_URL=sim.url, LINE_CHANNEL_ACCESS_TOKEN=sim.access_token
    )
    async with multicast_client(settings) as api:
        return await send_multicast(api, sim.client.user_ids(), messages, key or str(uuid.uuid4()), **options)


async def test_accepted_keeps_lines_request_id_and_the_aggregation_unit(fresh):
    result = await send(fresh, aggregation_unit="ann_7")
    assert result.outcome is Outcome.accepted and result.http_status == 200
    delivery = fresh.client.deliveries()[0]
    assert result.request_id == delivery["request_id"]
    assert delivery["aggregation_unit"] == "ann_7"


async def test_the_same_retry_key_again_is_already_accepted_and_sends_nothing(fresh):
    key = str(uuid.uuid4())
    first = await send(fresh, key=key)
    second = await send(fresh, key=key)
    assert second.outcome is Outcome.already_accepted and second.http_status == 409
    assert second.request_id == first.request_id
    assert fresh.client.stats()["deliveries"] == 3


@pytest.mark.parametrize("fault", ["error_rate", "drop_rate", "lost_rate"])
async def test_server_errors_and_broken_connections_mean_retry(fresh, fault):
    fresh.client.set_faults(**{fault: 1.0})
    result = await send(fresh)
    assert result.outcome is Outcome.retry


async def test_no_answer_in_time_means_retry(fresh):
    fresh.client.set_faults(latency_ms=1500)
    assert (await send(fresh, timeout=0.3)).outcome is Outcome.retry


async def test_the_monthly_limit_is_quota_exhausted(fresh):
    fresh.client.set_quota(2)
    result = await send(fresh)
    assert result.outcome is Outcome.quota_exhausted and result.http_status == 429
    assert "monthly limit" in result.message


async def test_over_the_rate_limit_is_rate_limited(fresh):
    fresh.client.set_limits(multicast=1)
    outcomes = [(await send(fresh)).outcome for _ in range(3)]
    assert Outcome.rate_limited in outcomes


async def test_an_invalid_message_is_rejected_with_lines_details(fresh):
    result = await send(fresh, messages=check_messages([{"type": "text", "text": "ก" * 5001}]))
    assert result.outcome is Outcome.rejected and result.http_status == 400
    assert "messages[0].text" in result.message


def test_classification_of_bodies_line_documents():
    assert classify_error(429, b'{"message": "You have reached your monthly limit."}', {}).outcome is (
        Outcome.quota_exhausted
    )
    limited = classify_error(429, '{"message": "The API rate limit has been exceeded. Try again later."}', {})
    assert limited.outcome is Outcome.rate_limited
    assert classify_error(503, None, {}).outcome is Outcome.retry
    assert classify_error(401, '{"message": "Authentication failed"}', {}).outcome is Outcome.rejected
    conflict = classify_error(409, "{}", {"X-Line-Accepted-Request-Id": "abc"})
    assert conflict.outcome is Outcome.already_accepted and conflict.request_id == "abc"


async def test_a_proxy_named_in_the_environment_carries_the_multicasts(fresh, monkeypatch):
    """A ministry server reaching LINE through its proxy (HTTP_PROXY / HTTPS_PROXY): multicasts go through it."""
    import aiohttp
    from aiohttp import web

    relayed: list[str] = []

    async def relay(request: web.Request) -> web.Response:
        relayed.append(request.path)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with (
            aiohttp.ClientSession() as onward,
            onward.request(
                request.method, fresh.url + request.path_qs, data=await request.read(), headers=headers
            ) as answer,
        ):
            return web.Response(status=answer.status, body=await answer.read(), headers={
                k: v for k, v in answer.headers.items() if k.lower() in ("content-type", "x-line-request-id")
            })  # fmt: skip

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", relay)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        result = await send(fresh)
    finally:
        await runner.cleanup()

    assert result.outcome is Outcome.accepted
    assert relayed == ["/v2/bot/message/multicast"]
    assert fresh.client.stats()["deliveries"] == 3


async def test_without_a_proxy_the_client_does_not_look_one_up_per_request(fresh, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings = demo_settings(
        "sqlite://", LINE_API_BASE_URL=fresh.url, LINE_CHANNEL_ACCESS_TOKEN=fresh.access_token
    )
    async with multicast_client(settings) as api:
        assert api.api_client.rest_client.pool_manager.trust_env is False
        result = await send_multicast(api, fresh.client.user_ids(), HELLO, str(uuid.uuid4()))
    assert result.outcome is Outcome.accepted
