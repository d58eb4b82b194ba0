"""Each of LINE's answers does what it should to a batch: retried with the same key, failed, paused, slowed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from boktor.announcements.models import AnnouncementStatus
from boktor.audit.models import AuditEntry
from boktor.db import transaction, utcnow
from boktor.delivery.models import Batch, BatchStatus, DeliveryAttempt
from boktor.delivery.status import delivery_counts
from tests.delivery.helpers import (
    add_members,
    announcement,
    attempts,
    batches,
    ledger_statuses,
    send_to_followers,
    settings_for,
    work,
)


@pytest.fixture
def members(database_url, phones):
    with transaction(database_url) as session:
        add_members(session, phones)
    return phones


@pytest.mark.parametrize("fault", ["error_rate", "drop_rate", "lost_rate"])
def test_failed_requests_are_retried_with_the_same_key_and_nobody_gets_it_twice(
    database_url, sim, members, fault
):
    sim.client.set_faults(**{fault: 0.5})
    announcement_id = send_to_followers(database_url)

    work(settings_for(database_url, sim))

    stats = sim.client.stats()
    assert stats["recipients"] == len(members)
    assert stats["duplicates"] == 0
    assert sum(stats["faults"].values()) > 0
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed
    assert ledger_statuses(database_url, announcement_id) == {"sent": len(members)}
    tries = attempts(database_url, announcement_id)
    assert any(t.outcome == "retry" for t in tries)
    keys = {b.id: b.retry_key for b in batches(database_url, announcement_id)}
    # Every request LINE saw for a batch carried that batch's one stored key.
    delivered_keys = Counter(d["retry_key"] for d in sim.client.deliveries())
    assert set(delivered_keys) == set(keys.values()) and set(delivered_keys.values()) == {1}
    per_batch = Counter(t.batch_id for t in tries)
    assert max(per_batch.values()) > 1
    if fault == "lost_rate":
        # The answer was lost after LINE accepted: the retry is told 409, and that counts as sent.
        assert any(t.outcome == "already_accepted" and t.http_status == 409 for t in tries)
        assert stats["retry_key_conflicts"] > 0


def test_a_message_line_refuses_fails_its_batch_with_lines_words_and_is_not_retried(
    database_url, sim, members
):
    announcement_id = send_to_followers(database_url)

    def too_long(announcement, purpose):
        return [{"type": "text", "text": "ก" * 5001}]

    work(settings_for(database_url, sim), messages_for=too_long)

    tries = attempts(database_url, announcement_id)
    assert [t.outcome for t in tries] == ["rejected"] * 3
    assert {t.http_status for t in tries} == {400}
    failed = batches(database_url, announcement_id)
    assert {b.status for b in failed} == {BatchStatus.failed}
    assert "5000" in failed[0].error
    assert sim.client.stats()["recipients"] == 0
    with transaction(database_url) as session:
        counts = delivery_counts(session, announcement_id)["announcement"]
    assert counts["failed"] == 1200 and counts["sent"] == 0
    assert counts["errors"] and "5000" in counts["errors"][0]
    # Nothing is left to send: a failed batch does not keep the announcement open.
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed


def test_out_of_monthly_quota_pauses_with_a_reason_and_resumes_when_quota_is_raised(
    database_url, sim, members
):
    sim.client.set_quota(700)
    announcement_id = send_to_followers(database_url)
    settings = settings_for(database_url, sim, BOKTOR_MULTICAST_CONCURRENCY=1)

    work(settings)

    paused = announcement(database_url, announcement_id)
    assert paused.status == AnnouncementStatus.paused
    assert "monthly" in paused.pause_reason and "LINE Official Account Manager" in paused.pause_reason
    assert "quota_exhausted" in {t.outcome for t in attempts(database_url, announcement_id)}
    # The ledger agrees with what LINE took: the first batch, and the last if it slipped in under the quota.
    reached = sim.client.stats()["recipients"]
    assert reached in (500, 700)
    assert ledger_statuses(database_url, announcement_id) == {"sent": reached, "pending": 1200 - reached}

    sim.client.set_quota(5000)
    with transaction(database_url) as session:  # what `boktor announce resume` does
        paused = session.merge(paused)
        paused.status, paused.pause_reason = AnnouncementStatus.sending, None
    work(settings)

    stats = sim.client.stats()
    assert stats["recipients"] == 1200 and stats["duplicates"] == 0
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed
    assert ledger_statuses(database_url, announcement_id) == {"sent": 1200}
    with transaction(database_url) as session:  # both of the worker's transitions are in the audit log
        audit = session.execute(
            select(AuditEntry.action, AuditEntry.actor_label).where(AuditEntry.subject_id == announcement_id)
        ).all()
    assert ("announcement.paused", "worker") in audit and ("announcement.completed", "worker") in audit


def test_over_the_rate_limit_the_worker_slows_down_and_still_sends_everything(database_url, sim, members):
    sim.client.set_limits(multicast=4)
    send_to_followers(database_url, title="หนึ่ง")
    second = send_to_followers(database_url, title="สอง")

    work(settings_for(database_url, sim, BOKTOR_MULTICAST_RATE=40))

    stats = sim.client.stats()
    assert stats["rate_limited"] > 0
    assert stats["deliveries"] == 2 * len(members) and stats["duplicates"] == 0
    assert "rate_limited" in {t.outcome for t in attempts(database_url, second)}
    assert ledger_statuses(database_url, second) == {"sent": len(members)}


def test_a_batch_first_tried_a_day_ago_is_not_retried_because_line_forgot_its_key(database_url, sim, members):
    announcement_id = send_to_followers(database_url)
    first = batches(database_url, announcement_id)[0]
    with transaction(database_url) as session:
        session.add(
            DeliveryAttempt(
                batch_id=first.id, attempt_no=1, started_at=utcnow() - timedelta(hours=24), outcome="retry"
            )
        )
        session.execute(update(Batch).where(Batch.id == first.id).values(attempts=1))

    work(settings_for(database_url, sim))

    settled = {b.id: b for b in batches(database_url, announcement_id)}
    assert settled[first.id].status == BatchStatus.failed and "24 hours" in settled[first.id].error
    assert sim.client.stats()["recipients"] == len(members) - 500
