"""Fixtures for the announcement tests: the LINE simulator kit."""

from tests.sim.fixtures import sim, sim_factory  # noqa: F401
