"""Injected faults: 500s, dropped connections, accepted-then-lost answers, latency; a reused retry key survives."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.sim.simkit import RunningSim

TEXT = {"type": "text", "text": "ทดสอบความทนทาน"}


def test_error_rate_answers_500_and_delivers_nothing(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    running.client.set_faults(error_rate=1.0)
    response = api.post("/v2/bot/message/multicast", json={"to": friends[:3], "messages": [TEXT]})
    assert response.status_code == 500
    stats = running.client.stats()
    assert stats["deliveries"] == 0 and stats["faults"]["error"] == 1


def test_drop_rate_closes_the_connection_without_an_answer(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    running.client.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.post("/v2/bot/message/multicast", json={"to": friends[:3], "messages": [TEXT]})
    assert running.client.stats()["deliveries"] == 0 and running.client.stats()["faults"]["drop"] == 1


def test_lost_answer_is_delivered_and_a_retry_with_the_same_key_is_409(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    key = {"X-Line-Retry-Key": str(uuid.uuid4())}
    body = {"to": friends[:4], "messages": [TEXT]}
    running.client.set_faults(lost_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.post("/v2/bot/message/multicast", json=body, headers=key)
    running.client.set_faults(lost_rate=0.0)
    retry = api.post("/v2/bot/message/multicast", json=body, headers=key)
    assert retry.status_code == 409
    stats = running.client.stats()
    assert stats["deliveries"] == 4 and stats["duplicates"] == 0 and stats["faults"]["lost"] == 1


def test_lost_answer_retried_without_a_key_duplicates(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    body = {"to": friends[:4], "messages": [TEXT]}
    running.client.set_faults(lost_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.post("/v2/bot/message/multicast", json=body)
    running.client.set_faults(lost_rate=0.0)
    assert api.post("/v2/bot/message/multicast", json=body).status_code == 200
    assert running.client.stats()["duplicates"] == 4


def test_latency_with_jitter(api: httpx.Client, running: RunningSim) -> None:
    faults = running.client.set_faults(latency_ms=150, jitter_ms=20)
    assert faults["latency_ms"] == 150 and faults["jitter_ms"] == 20
    started = time.monotonic()
    assert api.get("/v2/bot/message/quota").status_code == 200
    assert 0.12 <= time.monotonic() - started < 1.0
    started = time.monotonic()
    running.client.stats()  # the control API is never slowed
    assert time.monotonic() - started < 0.1


def test_fault_rates_are_fractions(running: RunningSim) -> None:
    with pytest.raises(Exception, match="400"):
        running.client.set_faults(error_rate=1.5)
    assert running.client.set_faults(error_rate=0.25, drop_rate=0.25)["error_rate"] == 0.25


def test_mixed_faults_with_retry_keys_reach_everyone_exactly_once(
    api: httpx.Client, running: RunningSim, friends: list[str]
) -> None:
    running.client.set_faults(error_rate=0.2, drop_rate=0.2, lost_rate=0.2)
    batches = [friends[i : i + 3] for i in range(0, 30, 3)]
    for batch in batches:
        key = {"X-Line-Retry-Key": str(uuid.uuid4())}
        for _ in range(60):
            try:
                answer = api.post(
                    "/v2/bot/message/multicast", json={"to": batch, "messages": [TEXT]}, headers=key
                )
            except httpx.TransportError:
                continue
            if answer.status_code in (200, 409):
                break
    stats = running.client.stats()
    assert stats["recipients"] == 30 and stats["deliveries"] == 30 and stats["duplicates"] == 0
    assert sum(stats["faults"].values()) > 0
