"""LIFF ID tokens and LINE Login's verify endpoint; rich menus; statistics per aggregation unit."""

from __future__ import annotations

import struct
import time
import zlib

import httpx

from tests.sim.simkit import RunningSim

VERIFY = "/oauth2/v2.1/verify"


def verify(running: RunningSim, token: str, client_id: str | None = None, **extra: str) -> httpx.Response:
    form = {"id_token": token, "client_id": client_id or running.login_channel_id, **extra}
    return httpx.post(running.url + VERIFY, data=form)


def test_verify_accepts_a_token_issued_for_a_phone(running: RunningSim, friends: list[str]) -> None:
    token = running.client.id_token(friends[0], nonce="n-1")
    answer = verify(running, token, nonce="n-1")
    assert answer.status_code == 200
    claims = answer.json()
    assert claims["iss"] == "https://access.line.me" and claims["sub"] == friends[0]
    assert claims["aud"] == running.login_channel_id and claims["exp"] > claims["iat"] >= time.time() - 5
    assert claims["name"] == running.client.users()["users"][0]["displayName"]


def test_verify_refuses_as_line_does(running: RunningSim, friends: list[str]) -> None:
    def error(response: httpx.Response) -> str:
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
        return response.json()["error_description"]

    expired = running.client.id_token(friends[0], expires_in=-10)
    other = running.client.id_token(friends[0], client_id="9999999999")
    good = running.client.id_token(friends[0])
    head, body, signature = good.split(".")
    forged = f"{head}.{body[:-2]}xx.{signature}"
    assert error(verify(running, expired)) == "IdToken expired."
    assert error(verify(running, other)) == "Invalid IdToken Audience."
    assert error(verify(running, forged)) == "Invalid IdToken."
    assert error(verify(running, "not-a-token")) == "Invalid IdToken."
    assert error(verify(running, good, nonce="other")) == "Invalid IdToken Nonce."


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x06\xc7\x55" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MENU = {
    "size": {"width": 2500, "height": 843},
    "selected": True,
    "name": "เมนูหลัก",
    "chatBarText": "เมนู",
    "areas": [
        {
            "bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
            "action": {"type": "postback", "data": "menu=survey", "label": "แบบสอบถาม"},
        },
        {
            "bounds": {"x": 1250, "y": 0, "width": 1250, "height": 843},
            "action": {"type": "uri", "uri": "https://example.go.th", "label": "เว็บไซต์"},
        },
    ],
}


def test_rich_menu_lifecycle(api: httpx.Client) -> None:
    bad = api.post(
        "/v2/bot/richmenu",
        json={
            **MENU,
            "chatBarText": "ยาวเกินสิบสี่ตัวอักษรแน่นอน",
            "areas": [
                {
                    "bounds": {"x": 2000, "y": 0, "width": 1000, "height": 10},
                    "action": {"type": "postback", "data": "x"},
                }
            ],
        },
    )
    assert bad.status_code == 400
    assert {d["property"] for d in bad.json()["details"]} == {"chatBarText", "areas[0].bounds"}
    menu_id = api.post("/v2/bot/richmenu", json=MENU).json()["richMenuId"]
    assert menu_id.startswith("richmenu-")
    assert api.post(f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 400  # no image yet
    wrong = api.post(
        f"/v2/bot/richmenu/{menu_id}/content", content=png(100, 100), headers={"Content-Type": "image/png"}
    )
    assert wrong.status_code == 400
    text = api.post(
        f"/v2/bot/richmenu/{menu_id}/content", content=b"hello", headers={"Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    image = png(2500, 843)
    assert (
        api.post(
            f"/v2/bot/richmenu/{menu_id}/content", content=image, headers={"Content-Type": "image/png"}
        ).status_code
        == 200
    )
    assert api.get(f"/v2/bot/richmenu/{menu_id}/content").content == image
    assert api.post(f"/v2/bot/user/all/richmenu/{menu_id}").status_code == 200
    assert api.get("/v2/bot/user/all/richmenu").json() == {"richMenuId": menu_id}
    assert [m["richMenuId"] for m in api.get("/v2/bot/richmenu/list").json()["richmenus"]] == [menu_id]
    assert api.get(f"/v2/bot/richmenu/{menu_id}").json()["name"] == "เมนูหลัก"
    assert api.delete(f"/v2/bot/richmenu/{menu_id}").status_code == 200
    assert api.get("/v2/bot/user/all/richmenu").status_code == 404
    assert api.get(f"/v2/bot/richmenu/{menu_id}").status_code == 404


def test_statistics_are_totals_and_null_under_20(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    text = {"type": "text", "text": "ประกาศ"}
    api.post(
        "/v2/bot/message/multicast",
        json={"to": friends[:25], "messages": [text], "customAggregationUnits": ["ann_41"]},
    )
    api.post(
        "/v2/bot/message/multicast",
        json={"to": friends[:5], "messages": [text], "customAggregationUnits": ["ann_42"]},
    )
    today = time.strftime("%Y%m%d", time.gmtime(time.time() + 9 * 3600))
    params = {"from": today, "to": today}
    big = api.get(
        "/v2/bot/insight/message/event/aggregation", params={**params, "customAggregationUnit": "ann_41"}
    )
    small = api.get(
        "/v2/bot/insight/message/event/aggregation", params={**params, "customAggregationUnit": "ann_42"}
    )
    assert big.json()["overview"]["uniqueImpression"] == 25
    assert small.json()["overview"]["uniqueImpression"] is None
    assert "userId" not in big.text  # totals only, never who read what
    assert api.get("/v2/bot/message/aggregation/list").json() == {
        "customAggregationUnits": ["ann_41", "ann_42"]
    }
    assert api.get("/v2/bot/insight/message/event/aggregation", params={"from": "x"}).status_code == 400
