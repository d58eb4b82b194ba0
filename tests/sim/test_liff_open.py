"""A member taps a link to the survey (a LIFF app): the phone opens it signed in, as LINE does."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.sim.simkit import start_sim

ENDPOINT = "http://127.0.0.1:9/liff/survey"


def _card_with_link(uri: str) -> dict:
    return {
        "type": "template",
        "altText": "แบบสำรวจ",
        "template": {
            "type": "buttons",
            "text": "ตอบแบบสำรวจ",
            "actions": [{"type": "uri", "label": "เปิด", "uri": uri}],
        },
    }


def test_tapping_a_liff_link_opens_the_endpoint_with_an_id_token():
    with start_sim(users=1, users_state="friend", liff_endpoint=ENDPOINT) as sim:
        user = sim.client.user_ids(state="friend")[0]
        for uri, opened in [
            ("https://liff.line.me/123-abc?invite=K7Q2", f"{ENDPOINT}?invite=K7Q2"),
            (f"{ENDPOINT}?invite=ZZ", f"{ENDPOINT}?invite=ZZ"),
        ]:
            httpx.post(
                f"{sim.url}/v2/bot/message/push",
                headers=sim.auth,
                json={"to": user, "messages": [_card_with_link(uri)]},
            ).raise_for_status()
            tapped = sim.client.tap(user, "เปิด")
            address, _, fragment = tapped["open"].partition("#id_token=")
            assert address == opened
            verified = httpx.post(
                f"{sim.url}/oauth2/v2.1/verify",
                data={"id_token": fragment, "client_id": sim.login_channel_id},
            )
            assert verified.status_code == 200
            assert verified.json()["sub"] == user


def test_other_links_open_as_they_are():
    with start_sim(users=1, users_state="friend", liff_endpoint=ENDPOINT) as sim:
        user = sim.client.user_ids(state="friend")[0]
        httpx.post(
            f"{sim.url}/v2/bot/message/push",
            headers=sim.auth,
            json={"to": user, "messages": [_card_with_link("https://www.moi.go.th/news")]},
        ).raise_for_status()
        tapped = sim.client.tap(user, "เปิด")
        assert tapped["open"] is None
        assert urlsplit(tapped["uri"]).netloc == "www.moi.go.th"
