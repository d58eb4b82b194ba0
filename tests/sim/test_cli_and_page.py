"""The `boktor sim` entry points and the Thai page of phones."""

from __future__ import annotations

import subprocess
import sys

import httpx
from typer.testing import CliRunner

from boktor.sim.cli import sim_command
from tests.sim.simkit import SRC, RunningSim


def test_python_m_boktor_sim_offers_the_documented_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "boktor.sim", "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC), "COLUMNS": "200", "PATH": ""},
        check=True,
    ).stdout
    for option in (
        "--host",
        "--port",
        "--channel-secret",
        "--access-token",
        "--webhook-url",
        "--login-channel-id",
        "--users",
        "--users-file",
        "--monthly-quota",
        "--multicast-rate",
        "--push-rate",
        "--reply-rate",
        "--no-limits",
        "--latency-ms",
        "--jitter-ms",
        "--error-rate",
        "--drop-rate",
        "--lost-rate",
        "--seed",
    ):
        assert option in out


def test_sim_command_registers_on_a_typer_app() -> None:
    import typer

    app = typer.Typer()
    app.command("sim")(sim_command)
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["sim", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--webhook-url" in result.output


def test_page_shows_phones_inboxes_and_totals_in_thai(
    running: RunningSim, api: httpx.Client, friends: list[str]
) -> None:
    card = {
        "type": "template",
        "altText": "ประกาศ",
        "template": {
            "type": "buttons",
            "title": "ประชุมด่วน",
            "text": "เวลา 09.00 น.",
            "actions": [{"type": "postback", "label": "รับทราบ", "data": "ack=1"}],
        },
    }
    api.post("/v2/bot/message/push", json={"to": friends[0], "messages": [card]})
    page = httpx.get(running.url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'lang="th"' in html and "โทรศัพท์" in html and "การส่งถึงเครื่อง" in html
    assert "ประชุมด่วน" in html and "รับทราบ" in html and friends[0] in html
    assert "http" not in html.split("<body>")[0].replace('name="viewport"', "")  # no external assets
    # The page's own buttons work: tap "รับทราบ" as the member would.
    item = running.client.inbox(friends[0])[0]["id"]
    tapped = httpx.post(
        f"{running.url}/_sim/page/{friends[0]}/tap", data={"label": "รับทราบ", "message_id": item}
    )
    assert tapped.status_code == 303 and tapped.headers["location"].endswith("#" + friends[0])
    assert [(w["type"], w["userId"]) for w in running.client.webhooks()][-1] == ("postback", friends[0])
