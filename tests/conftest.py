"""Shared fixtures: a fresh, migrated database on SQLite and on PostgreSQL for every test that asks."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from boktor.db import engine_for, session_factory, transaction
from boktor.migrations import upgrade
from boktor.org.catalogue import load_catalogue

pytest_plugins = ["tests.sim.fixtures"]

POSTGRES_URL = os.environ.get(
    "BOKTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# CI sets this so that a missing PostgreSQL fails the run instead of skipping half of it.
REQUIRE_POSTGRES = os.environ.get("BOKTOR_REQUIRE_POSTGRES") == "1"
ENGINES = ("sqlite", "postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `engines("postgresql")` is about what one engine does (several workers on PostgreSQL):
    its `database_url` runs on the other engine are not collected, rather than reported as skipped."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("engines")
        engine = getattr(item, "callspec", None) and item.callspec.params.get("database_url")
        (dropped if marker and engine and engine not in marker.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _admin_engine():
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def _postgres_reachable() -> str | None:
    try:
        with _admin_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as error:  # any failure means: no PostgreSQL here
        return str(error).splitlines()[0]


def _prepare(url: str) -> None:
    upgrade(url)
    with transaction(url) as session:
        load_catalogue(session)
    engine_for(url).dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated database with the catalogue, per engine, copied for each test (fast and isolated)."""
    templates: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.db"
    _prepare(f"sqlite:///{sqlite_file}")
    templates["sqlite"] = str(sqlite_file)
    problem = _postgres_reachable()
    name = f"boktor_tpl_{uuid.uuid4().hex[:10]}"
    if problem is None:
        with _admin_engine().connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        _prepare(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
        templates["postgresql"] = name
    else:
        templates["postgresql_problem"] = problem
    yield templates
    if "postgresql" in templates:
        with _admin_engine().connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, _templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database holding the shipped catalogue; SQLite and PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "boktor.db"
        shutil.copyfile(_templates["sqlite"], target)
        url = f"sqlite:///{target}"
        yield url
        engine_for(url).dispose()
        return
    if "postgresql" not in _templates:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {_templates['postgresql_problem']}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    name = f"boktor_t_{uuid.uuid4().hex[:12]}"
    with _admin_engine().connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_templates["postgresql"]}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    engine_for(url).dispose()
    with _admin_engine().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on the test's fresh database; tests commit or not as the code under test does."""
    with session_factory(database_url)() as session:
        yield session


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> dict[str, str]:
    """Environment for running `boktor` against the test database in demo mode."""
    from boktor.config import get_settings

    values = {"BOKTOR_MODE": "demo", "BOKTOR_DATABASE_URL": database_url}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()
