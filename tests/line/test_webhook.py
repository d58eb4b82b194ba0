"""LINE's webhook as Boktor receives it: signatures, bad bodies, redeliveries and restarts (real app, real simulator)."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from boktor.db import engine_for, transaction
from boktor.interactions import inbox
from boktor.interactions.models import InboxEvent
from boktor.line.webhook import MAX_BODY_BYTES, parse_events, signature_is_valid, signature_of
from tests.apprunner import running_app
from tests.interactions import harness
from tests.interactions.harness import Line, wait_until

# The chat tests' fixtures, shared with the webhook tests.
webhook_sim, line, boktor = harness.webhook_sim, harness.line, harness.boktor


def follow_event(event_id: str, user_id: str = "U" + "a" * 32, kind: str = "follow") -> dict:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA",
        "follow": {"isUnblocked": False},
    }


def post(url: str, body: bytes, signature: str | None, **headers: str) -> httpx.Response:
    if signature is not None:
        headers["x-line-signature"] = signature
    return httpx.post(
        f"{url}/line/webhook", content=body, headers={"content-type": "application/json", **headers}
    )


def rows(line: Line) -> list[InboxEvent]:
    with transaction(line.settings.database_url) as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


@pytest.fixture
def quiet_boktor(line: Line):
    """Boktor without its processor, so tests see exactly what the webhook itself stored."""
    with running_app(line.settings, port=line.port, background=False) as url:
        yield url


def body_of(*events: dict) -> bytes:
    return orjson.dumps({"destination": "U" + "0" * 32, "events": list(events)})


def test_a_signed_webhook_is_stored_and_answered_200(line: Line, quiet_boktor: str) -> None:
    body = body_of(follow_event("01JSIGNED000000000000000001"))
    response = post(quiet_boktor, body, signature_of(line.settings.line_channel_secret, body))
    assert response.status_code == 200
    [row] = rows(line)
    assert (row.webhook_event_id, row.event_type, row.status) == (
        "01JSIGNED000000000000000001",
        "follow",
        "pending",
    )
    assert row.payload["follow"] == {"isUnblocked": False}


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSBzaWduYXR1cmU=", "forged!"])
def test_a_missing_or_forged_signature_gets_401_and_changes_nothing(
    line: Line, quiet_boktor: str, signature: str | None
) -> None:
    body = body_of(follow_event("01JFORGED000000000000000001"))
    assert post(quiet_boktor, body, signature).status_code == 401
    # signed with another channel's secret
    assert post(quiet_boktor, body, signature_of("another-secret", body)).status_code == 401
    assert rows(line) == []


def test_a_signature_over_a_different_body_is_refused(line: Line, quiet_boktor: str) -> None:
    signed = body_of(follow_event("01JTAMPER000000000000000001"))
    tampered = signed.replace(b"follow", b"unfollow", 1)
    assert (
        post(quiet_boktor, tampered, signature_of(line.settings.line_channel_secret, signed)).status_code
        == 401
    )
    assert rows(line) == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"events": {}}', b'{"events": [42]}', b'{"events": [{"type": "follow"}]}'],
)
def test_a_signed_but_malformed_body_gets_400(line: Line, quiet_boktor: str, body: bytes) -> None:
    response = post(quiet_boktor, body, signature_of(line.settings.line_channel_secret, body))
    assert response.status_code == 400
    assert rows(line) == []


def test_an_empty_event_list_is_lines_connectivity_check(line: Line, quiet_boktor: str) -> None:
    body = body_of()
    assert post(quiet_boktor, body, signature_of(line.settings.line_channel_secret, body)).status_code == 200
    assert rows(line) == []


def test_an_oversized_body_gets_413_whether_declared_or_streamed(line: Line, quiet_boktor: str) -> None:
    big = body_of(follow_event("01JBIG0000000000000000000001") | {"padding": "x" * MAX_BODY_BYTES})
    signature = signature_of(line.settings.line_channel_secret, big)
    assert post(quiet_boktor, big, signature).status_code == 413

    def chunks():  # no Content-Length: the size is only known while reading
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    response = httpx.post(
        f"{quiet_boktor}/line/webhook", content=chunks(), headers={"x-line-signature": signature}
    )
    assert response.status_code == 413
    assert rows(line) == []


def test_unknown_and_future_event_types_are_accepted_and_kept(line: Line, boktor: str) -> None:
    events = [
        follow_event("01JUNKNOWN00000000000000001", kind="membership"),
        follow_event("01JUNKNOWN00000000000000002", kind="somethingLineInventsIn2030"),
        {
            **follow_event("01JUNKNOWN00000000000000003", kind="join"),
            "source": {"type": "group", "groupId": "C1"},
        },
    ]
    body = body_of(*events)
    assert post(boktor, body, signature_of(line.settings.line_channel_secret, body)).status_code == 200
    kept = wait_until(lambda: (lambda r: r if all(x.status == "ignored" for x in r) else None)(rows(line)))
    assert [row.event_type for row in kept] == ["membership", "somethingLineInventsIn2030", "join"]


def test_a_redelivered_event_is_handled_once(line: Line, boktor: str) -> None:
    user = line.phone()
    event_id = line.client.follow(user)["event"]["webhookEventId"]
    wait_until(lambda: line.client.inbox(user))
    again = line.client.redeliver(event_id)
    assert again["webhook_status"] == 200 and again["event"]["deliveryContext"]["isRedelivery"] is True
    time.sleep(0.5)  # give a (wrong) second handling the time to show itself
    assert len(line.client.inbox(user)) == 1  # one greeting
    [row] = rows(line)
    assert row.status == "done" and row.attempts == 1


def test_events_stored_before_a_crash_are_handled_when_boktor_starts_again(line: Line) -> None:
    user = line.phone("ประเสริฐ คำแสน")
    with running_app(
        line.settings, port=line.port, background=False
    ):  # answered 200, then "died" before handling
        assert line.client.follow(user)["webhook_status"] == 200
        line.client.send_text(user, "ข่าว")
    assert [row.status for row in rows(line)] == ["pending", "pending"]
    assert line.client.inbox(user) == []

    with running_app(line.settings, port=line.port):  # the restart finds the pending rows at once
        items = wait_until(lambda: (lambda got: got if len(got) == 2 else None)(line.client.inbox(user)))
        assert items[0]["view"]["title"] == "ยินดีต้อนรับสู่ @มหาดไทย"
        wait_until(lambda: all(row.status == "done" for row in rows(line)))


def test_the_inbox_keeps_one_row_per_webhook_event_id(database_url: str) -> None:
    events = parse_events(
        body_of(follow_event("01JDUP0000000000000000000001"), follow_event("01JDUP0000000000000000000002"))
    )
    engine = engine_for(database_url)
    with engine.begin() as connection:
        assert inbox.store_events(connection, events) == 2
    with engine.begin() as connection:
        assert inbox.store_events(connection, events[:1]) == 0
        assert inbox.store_events(connection, events) == 0
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(InboxEvent)) == 2


def test_signature_check_matches_lines_definition() -> None:
    body = b'{"destination":"U1","events":[]}'
    # Computed independently: base64(hmac_sha256("secret", body)).
    import base64
    import hashlib
    import hmac

    expected = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
    assert signature_of("secret", body) == expected
    assert signature_is_valid("secret", body, expected)
    assert not signature_is_valid("secret", body, expected[:-2] + "AA")
    assert not signature_is_valid("", body, signature_of("", body))
    assert not signature_is_valid("secret", body, "ไม่ใช่ลายเซ็น")
