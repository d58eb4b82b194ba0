"""Settings from the environment; the names are part of Boktor's contract (see DESIGN.md)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# What demo mode uses when nothing else is set: the built-in simulator on loopback.
DEMO_SIM_PORT = 8091
DEMO_CHANNEL_SECRET = "demo-channel-secret"
DEMO_ACCESS_TOKEN = "demo-access-token"
DEMO_LOGIN_CHANNEL_ID = "1234567890"
DEMO_LIFF_ID = "1234567890-demo"


class Mode(StrEnum):
    production = "production"
    demo = "demo"


class MissingSetting(ValueError):
    """A setting that production mode cannot start without."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """Everything Boktor reads from the environment (or a `.env` file)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    mode: Mode = Field(Mode.production, validation_alias=_env("BOKTOR_MODE"))
    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'boktor.db'}",
        validation_alias=_env("BOKTOR_DATABASE_URL"),
    )
    public_url: str = Field("http://127.0.0.1:8080", validation_alias=_env("BOKTOR_PUBLIC_URL"))

    line_channel_secret: str = Field("", validation_alias=_env("LINE_CHANNEL_SECRET"))
    line_channel_access_token: str = Field("", validation_alias=_env("LINE_CHANNEL_ACCESS_TOKEN"))
    line_api_base_url: str = Field("https://api.line.me", validation_alias=_env("LINE_API_BASE_URL"))
    line_login_channel_id: str = Field("", validation_alias=_env("LINE_LOGIN_CHANNEL_ID"))
    liff_id: str = Field("", validation_alias=_env("LIFF_ID"))

    # Delivery engine: LINE allows 200 multicast requests per second per channel.
    multicast_rate: float = Field(200.0, validation_alias=_env("BOKTOR_MULTICAST_RATE"))
    multicast_concurrency: int = Field(64, validation_alias=_env("BOKTOR_MULTICAST_CONCURRENCY"))
    # `boktor serve` also does the worker's work: the webhook inbox and delivery (default on SQLite,
    # where one process does all; on PostgreSQL `boktor worker` processes do it).
    embedded_worker: bool | None = Field(None, validation_alias=_env("BOKTOR_EMBEDDED_WORKER"))

    @model_validator(mode="after")
    def _demo_defaults_and_required(self) -> Settings:
        if self.mode is Mode.demo:
            self.line_channel_secret = self.line_channel_secret or DEMO_CHANNEL_SECRET
            self.line_channel_access_token = self.line_channel_access_token or DEMO_ACCESS_TOKEN
            if "line_api_base_url" not in self.model_fields_set:
                self.line_api_base_url = f"http://127.0.0.1:{DEMO_SIM_PORT}"
            self.line_login_channel_id = self.line_login_channel_id or DEMO_LOGIN_CHANNEL_ID
            self.liff_id = self.liff_id or DEMO_LIFF_ID
        if self.embedded_worker is None:
            self.embedded_worker = self.is_sqlite
        self.line_api_base_url = self.line_api_base_url.rstrip("/")
        self.public_url = self.public_url.rstrip("/")
        return self

    def require_line_channel(self) -> None:
        """Fail with a plain message if the LINE channel is not configured (production)."""
        missing = [
            name
            for name, value in (
                ("LINE_CHANNEL_SECRET", self.line_channel_secret),
                ("LINE_CHANNEL_ACCESS_TOKEN", self.line_channel_access_token),
            )
            if not value
        ]
        if missing:
            raise MissingSetting(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
                "Copy them from the Messaging API tab of your channel in the LINE Developers "
                "console into the environment (see .env.example), or run with BOKTOR_MODE=demo "
                "to use the built-in simulator."
            )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
