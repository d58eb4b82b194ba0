"""Scripts and other systems drive announcements through the JSON API with a bearer token."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from boktor.accounts.service import issue_token
from boktor.config import Settings
from tests.announcements.helpers import add_member, add_user
from tests.apprunner import running_app


@pytest.fixture
def api(session: Session, settings: Settings):
    """The running app and a client per user (writer: communicator, chief: approver)."""
    tokens = {}
    for name, role in (("writer", "communicator"), ("chief", "approver"), ("office", "office")):
        tokens[name] = issue_token(add_user(session, name, role))
    for _ in range(4):
        add_member(session, province="57", organisation="cdd", topics=("policy",))
    add_member(session, province="52", organisation="dopa")
    session.commit()
    with running_app(settings, background=False) as url:
        clients = {
            name: httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            for name, token in tokens.items()
        }
        clients["nobody"] = httpx.Client(base_url=url, timeout=10)
        yield clients
        for client in clients.values():
            client.close()


NEW = {
    "title": "ขอเชิญร่วมกิจกรรมวันดินโลก",
    "body": "ขอให้ทุกอำเภอประชาสัมพันธ์กิจกรรมแก่ประชาชน",
    "category": "ข่าวสารสำคัญ",
    "audience": {"provinces": ["เชียงราย"], "organisations": ["พช."]},
    "ack_deadline": "2026-01-15T23:59:00+07:00",
}


def test_write_approve_send_and_follow_through_the_api(api, line) -> None:
    line.client.set_quota(500, used=100)
    counted = api["writer"].post("/api/audiences/count", json={"audience": {"provinces": ["57"]}})
    assert counted.status_code == 200
    assert counted.json()["count"] == 4
    assert counted.json()["quota"] == {"cost": 4, "fits": True, "limit": 500, "used": 100, "queued": 0,
                                       "remaining": 400}  # fmt: skip

    created = api["writer"].post("/api/announcements", json=NEW)
    assert created.status_code == 201, created.text
    body = created.json()
    number = body["id"]
    assert body["status"] == "draft" and body["audience_count"] == 4
    assert body["audience"] == {"organisations": ["cdd"], "provinces": ["57"]}
    assert body["aggregation_unit"] == f"ann_{number}"

    assert api["writer"].post(f"/api/announcements/{number}/send").status_code == 409
    assert api["writer"].post(f"/api/announcements/{number}/submit").json()["status"] == "submitted"
    refused = api["writer"].post(f"/api/announcements/{number}/approve")
    assert refused.status_code == 403 and "approver" in refused.json()["detail"]
    approval = api["chief"].post(f"/api/announcements/{number}/approve")
    assert approval.status_code == 200, approval.text
    assert approval.json()["status"] == "approved"
    sent = api["writer"].post(f"/api/announcements/{number}/send", json={"partial": False})
    assert sent.status_code == 200, sent.text
    assert sent.json()["result"]["recipients"] == 4

    status = api["office"].get(f"/api/announcements/{number}/status").json()
    assert (status["status"], status["targeted"], status["pending"], status["acknowledged"]) == (
        "sending",
        4,
        4,
        0,
    )
    preview = api["writer"].get(f"/api/announcements/{number}/preview").json()
    assert preview[0]["altText"] == "ข่าวสารสำคัญ: ขอเชิญร่วมกิจกรรมวันดินโลก"
    reminder = (
        api["writer"].get(f"/api/announcements/{number}/preview", params={"purpose": "reminder-1"}).json()
    )
    assert reminder[0]["altText"].startswith("แจ้งเตือน")
    paused = api["chief"].post(f"/api/announcements/{number}/pause", json={"reason": "ตรวจทานอีกครั้ง"})
    assert paused.json()["status"] == "paused" and paused.json()["pause_reason"] == "ตรวจทานอีกครั้ง"
    assert api["writer"].post(f"/api/announcements/{number}/cancel").json()["status"] == "cancelled"
    assert api["writer"].get(f"/api/announcements/{number}").json()["body"] == NEW["body"]


def test_the_api_refuses_plainly(api, line) -> None:
    assert api["nobody"].post("/api/announcements", json=NEW).status_code == 401
    assert api["chief"].post("/api/announcements", json=NEW).status_code == 403
    bad = api["writer"].post("/api/announcements", json=NEW | {"audience": {"provinces": ["99"]}})
    assert bad.status_code == 422 and "'99'" in bad.json()["detail"]
    assert api["writer"].post("/api/audiences/count", json={"audience": {"colour": "red"}}).status_code == 422
    assert api["writer"].get("/api/announcements/999").status_code == 404
    assert api["writer"].post("/api/announcements/999/submit").status_code == 404
    number = api["writer"].post("/api/announcements", json=NEW).json()["id"]
    assert api["writer"].post(f"/api/announcements/{number}/explode").status_code == 404


def test_the_quota_refusal_reaches_the_api_caller(api, line) -> None:
    line.client.set_quota(1000, used=998)
    number = api["writer"].post("/api/announcements", json=NEW).json()["id"]
    api["writer"].post(f"/api/announcements/{number}/submit")
    api["chief"].post(f"/api/announcements/{number}/approve")
    refused = api["writer"].post(f"/api/announcements/{number}/send")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(
        "This audience is 4 people but only 2 messages are left this month"
    )
    partial = api["writer"].post(f"/api/announcements/{number}/send", json={"partial": True})
    assert partial.json()["result"]["recipients"] == 2


def test_a_draft_is_patched_and_an_approver_sends_it_back_through_the_api(api, line) -> None:
    number = api["writer"].post("/api/announcements", json=NEW).json()["id"]
    url = f"/api/announcements/{number}"
    patched = api["writer"].patch(
        url, json={"title": "ขอเชิญร่วมงานวันดินโลก", "audience": {"provinces": ["ลำปาง"]}}
    )
    assert patched.status_code == 200, patched.text
    result = patched.json()
    assert result["changed"] == ["title", "audience"]
    assert (result["status"], result["title"], result["audience"]) == ("draft", "ขอเชิญร่วมงานวันดินโลก",
                                                                        {"provinces": ["52"]})  # fmt: skip
    assert result["audience_count"] == 1 and result["quota"]["cost"] == 1
    assert result["category"] == "news" and result["ack_deadline"] == "2026-01-15T16:59:00+00:00"
    cleared = api["writer"].patch(url, json={"ack_deadline": None}).json()
    assert cleared["changed"] == ["ack_deadline"] and cleared["ack_deadline"] is None
    assert api["writer"].get(url).json()["body"] == NEW["body"]
    preview = api["writer"].get(f"{url}/preview").json()
    assert preview[0]["altText"] == "ข่าวสารสำคัญ: ขอเชิญร่วมงานวันดินโลก"

    assert api["writer"].patch(url, json={"image_url": "http://example.com/a.jpg"}).status_code == 422
    assert api["writer"].patch(url, json={"audience": None}).status_code == 422
    assert api["chief"].patch(url, json={"title": "ก"}).status_code == 403
    assert api["nobody"].patch(url, json={"title": "ก"}).status_code == 401
    assert api["writer"].patch("/api/announcements/999", json={"title": "ก"}).status_code == 404

    api["writer"].post(f"{url}/submit")
    late = api["writer"].patch(url, json={"body": "แก้ไข"})
    assert late.status_code == 409 and "submitted: ask the approver to send it back" in late.json()["detail"]
    assert api["writer"].post(f"{url}/return", json={"reason": "ผิด"}).status_code == 403
    assert api["chief"].post(f"{url}/return").status_code == 422
    returned = api["chief"].post(f"{url}/return", json={"reason": "ใช้ภาพผิด"})
    assert returned.status_code == 200, returned.text
    assert (returned.json()["status"], returned.json()["return_reason"]) == ("draft", "ใช้ภาพผิด")
    assert api["office"].get(url).json()["return_reason"] == "ใช้ภาพผิด"
    assert api["office"].get(f"{url}/status").json()["return_reason"] == "ใช้ภาพผิด"
    assert api["writer"].patch(url, json={"body": "แก้ไขแล้ว"}).json()["changed"] == ["body"]
    assert api["writer"].post(f"{url}/return", json={"reason": "ผิด"}).status_code == 403
    assert api["chief"].post(f"{url}/return", json={"reason": "ซ้ำ"}).status_code == 409
    resubmitted = api["writer"].post(f"{url}/submit").json()
    assert resubmitted["status"] == "submitted" and resubmitted["return_reason"] is None
