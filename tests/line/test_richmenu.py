"""An operator runs `boktor line richmenu`: the Thai menu appears in LINE (the simulator) with Boktor's picture."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import httpx
from PIL import Image

from boktor.interactions.handlers import keyword_of
from boktor.line.richmenu import MENU_NAME, TILES, data_host, menu_definition
from tests.sim import fixtures
from tests.sim.simkit import RunningSim

# The simulator's fixtures (the root conftest does not register them yet).
sim, sim_factory = fixtures.sim, fixtures.sim_factory


def run_richmenu(running: RunningSim, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        BOKTOR_MODE="production",
        LINE_API_BASE_URL=running.url,
        LINE_CHANNEL_SECRET=running.channel_secret,
        LINE_CHANNEL_ACCESS_TOKEN=running.access_token,
    )
    return subprocess.run(
        [sys.executable, "-m", "boktor.cli", "line", "richmenu", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_the_operator_installs_and_then_updates_the_rich_menu(sim: RunningSim, tmp_path) -> None:
    first = run_richmenu(sim, "--json", "--image-out", str(tmp_path / "menu.png"))
    assert first.returncode == 0, first.stderr
    installed = json.loads(first.stdout)
    assert installed["default"] is True and installed["removed"] == []

    api = httpx.Client(base_url=sim.url, headers=sim.auth)
    assert api.get("/v2/bot/user/all/richmenu").json()["richMenuId"] == installed["rich_menu_id"]
    menu = api.get(f"/v2/bot/richmenu/{installed['rich_menu_id']}").json()
    assert menu["name"] == MENU_NAME and menu["chatBarText"] == "เมนู @มหาดไทย"
    assert [area["action"]["label"] for area in menu["areas"]] == [
        "ข่าวสาร", "แบบสำรวจ", "สื่อประชาสัมพันธ์", "ติดต่อ",
    ]  # fmt: skip
    picture = api.get(f"/v2/bot/richmenu/{installed['rich_menu_id']}/content")
    assert picture.headers["content-type"].startswith("image/png")
    assert len(picture.content) <= 1024 * 1024
    assert Image.open(io.BytesIO(picture.content)).size == (2500, 843)
    assert (tmp_path / "menu.png").read_bytes() == picture.content or Image.open(
        tmp_path / "menu.png"
    ).size == (
        2500,
        843,
    )

    second = run_richmenu(sim, "--json")  # an update replaces Boktor's menu and removes the old one
    assert second.returncode == 0, second.stderr
    updated = json.loads(second.stdout)
    assert updated["removed"] == [installed["rich_menu_id"]]
    menus = api.get("/v2/bot/richmenu/list").json()["richmenus"]
    assert [m["richMenuId"] for m in menus] == [updated["rich_menu_id"]]
    assert api.get("/v2/bot/user/all/richmenu").json()["richMenuId"] == updated["rich_menu_id"]


def test_a_wrong_access_token_fails_with_a_plain_message(sim_factory) -> None:
    running = sim_factory(access_token="the-real-token")
    running.access_token = "not-the-token"
    result = run_richmenu(running)
    assert result.returncode != 0
    assert "LINE refused to list rich menus: HTTP 401" in result.stderr


def test_every_menu_area_is_answered_by_the_chat_handlers() -> None:
    for label, _, action in TILES:
        if action["type"] == "message":
            assert keyword_of(action["text"]) != "help", label
        else:
            assert action["data"] == "action=survey"
    areas = menu_definition()["areas"]
    assert sum(area["bounds"]["width"] for area in areas) == 2500


def test_uploads_go_to_lines_data_host_and_the_simulator_takes_them_itself() -> None:
    assert data_host("https://api.line.me") == "https://api-data.line.me"
    assert data_host("http://127.0.0.1:8091") == "http://127.0.0.1:8091"
