"""Fixtures of the chat tests (defined in harness.py so that tests of the LINE adapter can use them too)."""

from tests.interactions.harness import boktor, line, webhook_sim  # noqa: F401
