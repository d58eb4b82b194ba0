"""Verifying a LIFF ID token at LINE's verify endpoint (the simulator's, over real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boktor.line.liff import IdTokenError, TokenProblem, verify_id_token
from tests.apprunner import demo_settings, free_port
from tests.sim.simkit import RunningSim, start_sim

CHANNEL = "1234567890"


@pytest.fixture(scope="module")
def liff_sim() -> Iterator[RunningSim]:
    with start_sim(users=2, login_channel_id=CHANNEL) as running:
        yield running


def _settings(sim_url: str, channel: str = CHANNEL):
    return demo_settings("sqlite://", LINE_API_BASE_URL=sim_url, LINE_LOGIN_CHANNEL_ID=channel)


async def test_a_token_line_issued_gives_the_member_line_user_id(liff_sim: RunningSim) -> None:
    user = liff_sim.client.users()["users"][0]
    identity = await verify_id_token(_settings(liff_sim.url), liff_sim.client.id_token(user["userId"]))
    assert identity.user_id == user["userId"]
    assert identity.display_name == user["displayName"]
    assert identity.expires_at > 0


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda c, u: c.id_token(u)[:-4] + "abcd", TokenProblem.invalid),  # signature changed
        (lambda c, u: "not-a-jwt", TokenProblem.invalid),
        (lambda c, u: c.id_token(u, expires_in=-5), TokenProblem.expired),
        (lambda c, u: c.id_token(u, client_id="5555555555"), TokenProblem.audience),
        (lambda c, u: "", TokenProblem.missing),
        (lambda c, u: None, TokenProblem.missing),
    ],
)
async def test_tokens_line_does_not_vouch_for_are_refused_with_the_reason(
    liff_sim: RunningSim, make, problem: TokenProblem
) -> None:
    user_id = liff_sim.client.user_ids()[1]
    with pytest.raises(IdTokenError) as refused:
        await verify_id_token(_settings(liff_sim.url), make(liff_sim.client, user_id))
    assert refused.value.problem is problem


async def test_a_token_for_another_login_channel_is_refused(liff_sim: RunningSim) -> None:
    token = liff_sim.client.id_token(liff_sim.client.user_ids()[0])
    with pytest.raises(IdTokenError) as refused:
        await verify_id_token(_settings(liff_sim.url, channel="2222222222"), token)
    assert refused.value.problem is TokenProblem.audience


async def test_line_out_of_reach_is_unavailable_not_invalid() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IdTokenError) as refused:
        await verify_id_token(_settings(nobody), "a.b.c")
    assert refused.value.problem is TokenProblem.unavailable
