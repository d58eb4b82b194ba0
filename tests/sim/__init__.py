"""Tests of the LINE platform simulator, and the kit other features' tests use to drive it."""
