"""Alembic migrations, run with `boktor db upgrade`."""

from __future__ import annotations

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "boktor:migrations")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` to the newest schema (idempotent)."""
    command.upgrade(alembic_config(database_url), revision)
