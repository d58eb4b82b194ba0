"""Settings: production refuses to start without the LINE channel; demo uses the simulator."""

from __future__ import annotations

import subprocess
import sys

import pytest

from boktor.config import MissingSetting, Mode, Settings


def test_production_without_channel_names_the_missing_setting(monkeypatch):
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "token")
    settings = Settings(_env_file=None)
    assert settings.mode is Mode.production
    with pytest.raises(MissingSetting, match="LINE_CHANNEL_SECRET is not set"):
        settings.require_line_channel()


def test_demo_uses_the_simulator(monkeypatch):
    monkeypatch.setenv("BOKTOR_MODE", "demo")
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    settings.require_line_channel()
    assert settings.line_api_base_url == "http://127.0.0.1:8091"
    assert settings.line_channel_secret


def test_contract_names_are_read(monkeypatch):
    monkeypatch.setenv("BOKTOR_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("LINE_API_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("BOKTOR_PUBLIC_URL", "https://boktor.example/")
    monkeypatch.setenv("LIFF_ID", "123-abc")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.line_api_base_url == "http://127.0.0.1:9"
    assert settings.public_url == "https://boktor.example"
    assert settings.liff_id == "123-abc"


def test_serve_fails_at_once_with_a_plain_message(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BOKTOR_MODE": "production"}
    result = subprocess.run(
        [sys.executable, "-m", "boktor.cli", "serve"], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "LINE_CHANNEL_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
