"""When sending starts, every recipient gets a ledger row, in batches of at most 500 with keys stored up front."""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import func, select

from boktor.delivery.ledger import BATCH_SIZE, start_delivery
from boktor.delivery.models import Batch, Delivery
from boktor.delivery.status import delivery_counts
from boktor.members.models import Member, MemberStatus
from tests.delivery.helpers import add_members, batch_members, followers, new_announcement


def user_ids(count: int) -> list[str]:
    return [f"U{uuid.uuid4().hex}" for _ in range(count)]


def test_the_ledger_has_one_row_per_recipient_cut_by_member_id_into_batches_of_500(session):
    add_members(session, user_ids(1234))
    add_members(session, user_ids(5), status=MemberStatus.blocked)
    announcement = new_announcement(session)

    written = start_delivery(session, announcement, "announcement", followers)

    assert written == 1234
    batches = session.scalars(select(Batch).order_by(Batch.seq)).all()
    assert [b.recipients for b in batches] == [500, 500, 234]
    assert [b.seq for b in batches] == [0, 1, 2]
    # A retry key for every batch before anything is sent: a UUID, different for each batch.
    assert all(uuid.UUID(b.retry_key) for b in batches) and len({b.retry_key for b in batches}) == 3
    assert {b.status for b in batches} == {"pending"} and {b.attempts for b in batches} == {0}
    ranges = []
    for batch in batches:
        members = batch_members(session, batch)
        assert len(members) == batch.recipients
        assert (min(members), max(members)) == (batch.first_member_id, batch.last_member_id)
        ranges.append((min(members), max(members)))
    # Keyset on member id: each batch is a run of consecutive members, in order.
    assert ranges == sorted(ranges) and all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
    blocked = select(Member.id).where(Member.status == MemberStatus.blocked)
    assert session.scalar(select(func.count()).where(Delivery.member_id.in_(blocked))) == 0


def test_starting_twice_writes_nothing_new(session):
    add_members(session, user_ids(700))
    announcement = new_announcement(session)
    start_delivery(session, announcement, "announcement", followers)
    keys = session.scalars(select(Batch.retry_key).order_by(Batch.seq)).all()
    add_members(session, user_ids(10))

    again = start_delivery(session, announcement, "announcement", followers)

    assert again == 700
    assert session.scalars(select(Batch.retry_key).order_by(Batch.seq)).all() == keys
    assert session.scalar(select(func.count()).select_from(Delivery)) == 700


def test_a_reminder_has_its_own_ledger_and_keys(session):
    add_members(session, user_ids(30))
    announcement = new_announcement(session)
    start_delivery(session, announcement, "announcement", followers)

    start_delivery(session, announcement, "reminder-1", lambda *_: followers().where(Member.id % 2 == 0))

    counts = delivery_counts(session, announcement.id)
    assert counts["announcement"]["targeted"] == 30 and counts["reminder-1"]["targeted"] == 15
    assert counts["reminder-1"]["pending"] == 15 and counts["reminder-1"]["batches_total"] == 1
    assert session.scalar(select(func.count(func.distinct(Batch.retry_key)))) == 2


def test_a_limit_keeps_the_first_recipients_by_member_id(session):
    add_members(session, user_ids(1100))
    announcement = new_announcement(session)

    written = start_delivery(session, announcement, "announcement", followers, limit=600)

    assert written == 600
    first = session.scalars(select(Member.id).order_by(Member.id).limit(600)).all()
    assert sorted(session.scalars(select(Delivery.member_id)).all()) == first
    assert [b.recipients for b in session.scalars(select(Batch).order_by(Batch.seq))] == [BATCH_SIZE, 100]


def test_nobody_to_send_to_writes_nothing(session):
    announcement = new_announcement(session)
    assert start_delivery(session, announcement, "announcement", followers) == 0
    assert delivery_counts(session, announcement.id) == {}
