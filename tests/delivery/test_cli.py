"""`boktor worker` in-process: plain refusal without a LINE channel, progress on stderr, exit 0 when idle."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from boktor.cli import app
from boktor.config import get_settings
from boktor.db import transaction
from tests.delivery.helpers import add_members, send_to_followers


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_without_a_line_channel_the_worker_refuses_in_plain_words(
    runner, monkeypatch, database_url, tmp_path
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOKTOR_MODE", "production")
    monkeypatch.setenv("BOKTOR_DATABASE_URL", database_url)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["worker", "--until-idle"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "LINE_CHANNEL_ACCESS_TOKEN" in result.output


def test_the_worker_sends_reports_progress_and_exits_when_idle(
    runner, monkeypatch, database_url, sim, phones
):
    with transaction(database_url) as session:
        add_members(session, phones[:12])
    send_to_followers(database_url)
    for name, value in {
        "BOKTOR_MODE": "demo",
        "BOKTOR_DATABASE_URL": database_url,
        "LINE_API_BASE_URL": sim.url,
        "LINE_CHANNEL_ACCESS_TOKEN": sim.access_token,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["worker", "--until-idle"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "batches sent: 1" in result.output and "recipients reached: 12" in result.output
    assert sim.client.stats()["recipients"] == 12
