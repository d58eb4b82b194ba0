"""A large ledger is written in committed chunks: the worker sends the first batches while it writes the rest.

What an operator sees: "send" answers at once with how many people the announcement reaches; the status
counts everyone not yet sent as pending, even those whose ledger rows are still to be written; the
announcement completes only when every recipient is written and sent; a crash between or inside chunks
loses nobody and repeats nobody.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import func, select, update

from boktor.announcements.models import AnnouncementStatus
from boktor.db import transaction
from boktor.delivery import claims
from boktor.delivery.ledger import BATCH_SIZE, continue_ledger, start_delivery
from boktor.delivery.models import Batch, Delivery, Ledger
from boktor.delivery.status import delivery_counts
from boktor.members.models import Member, MemberStatus
from tests.delivery.helpers import (
    add_members,
    announcement,
    batch_members,
    followers,
    ledger_statuses,
    new_announcement,
    settings_for,
    work,
)


def user_ids(count: int) -> list[str]:
    return [f"U{uuid.uuid4().hex}" for _ in range(count)]


def write_all(session, size: int) -> int:
    """Continue ledgers until none is left; return how many chunks that took."""
    chunks = 0
    while continue_ledger(session, followers, size) is not None:
        chunks += 1
    return chunks


def test_the_first_chunk_is_written_at_once_and_the_rest_chunk_by_chunk(session):
    add_members(session, user_ids(2600))
    announcement = new_announcement(session)

    planned = start_delivery(session, announcement, "announcement", followers, first_chunk=1000)

    assert planned == 2600
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1000
    assert [b.recipients for b in session.scalars(select(Batch).order_by(Batch.seq))] == [500, 500]
    # The operator's status already counts everyone: those not written yet are pending.
    counts = delivery_counts(session, announcement.id)["announcement"]
    assert counts["targeted"] == 2600 and counts["pending"] == 2600
    # Not complete while the ledger is unwritten, though every written batch is settled.
    announcement.status = AnnouncementStatus.sending
    session.execute(update(Batch).values(status="sent"))
    assert claims.complete_finished(session) == []
    assert claims.has_work(session, "nobody")

    assert write_all(session, 1000) == 2

    batches = session.scalars(select(Batch).order_by(Batch.seq)).all()
    assert [b.seq for b in batches] == list(range(6))
    assert [b.recipients for b in batches] == [500] * 5 + [100]
    assert len({b.retry_key for b in batches}) == 6
    ranges = []
    for batch in batches:
        members = batch_members(session, batch)
        assert len(members) == batch.recipients
        assert (min(members), max(members)) == (batch.first_member_id, batch.last_member_id)
        ranges.append((min(members), max(members)))
    # Keyset on member id across chunks: each batch a run of consecutive members, none twice.
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
    assert session.scalar(select(func.count(func.distinct(Delivery.member_id)))) == 2600
    ledger = session.scalar(select(Ledger))
    assert ledger.complete and ledger.written == 2600 and ledger.completed_at is not None
    assert continue_ledger(session, followers, 1000) is None


def test_the_audience_is_the_one_of_the_moment_sending_started(session):
    add_members(session, user_ids(1500))
    announcement = new_announcement(session)
    start_delivery(session, announcement, "announcement", followers, first_chunk=500)
    # Meanwhile someone joins and someone near the end blocks the account.
    add_members(session, user_ids(7))
    last = session.scalar(
        select(Member.id).where(Member.status == MemberStatus.follower).order_by(Member.id.desc()).offset(7)
    )
    session.execute(update(Member).where(Member.id == last).values(status=MemberStatus.blocked))

    write_all(session, 500)

    written = set(session.scalars(select(Delivery.member_id)))
    assert len(written) == 1499 and last not in written
    newcomers = select(Member.id).order_by(Member.id.desc()).limit(7)
    assert written.isdisjoint(session.scalars(newcomers))


def test_as_many_as_the_quota_allows_across_chunks(session):
    add_members(session, user_ids(3000))
    announcement = new_announcement(session)

    assert (
        start_delivery(session, announcement, "announcement", followers, limit=1700, first_chunk=1000) == 1700
    )
    write_all(session, 1000)

    assert session.scalar(select(func.count()).select_from(Delivery)) == 1700
    assert [b.recipients for b in session.scalars(select(Batch).order_by(Batch.seq))] == [500, 500, 500, 200]
    assert session.scalar(select(Ledger.complete))


def test_a_chunk_cut_short_by_a_crash_leaves_nothing_and_is_written_again(database_url):
    with transaction(database_url) as session:
        add_members(session, user_ids(1200))
        announcement_id = new_announcement(session).id
    with transaction(database_url) as session:
        started = session.merge(announcement(database_url, announcement_id))
        start_delivery(session, started, "announcement", followers, first_chunk=500)

    class Crash(Exception):
        pass

    # The process dies after writing a chunk's batches and rows, before the commit.
    with pytest.raises(Crash), transaction(database_url) as session:
        assert continue_ledger(session, followers, 500) == 500
        raise Crash
    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 500
        assert session.scalar(select(Ledger.written)) == 500
        write_all(session, 500)
    with transaction(database_url) as session:
        assert session.scalar(select(func.count(func.distinct(Delivery.member_id)))) == 1200
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1200
        assert session.scalar(select(func.count()).select_from(Batch)) == 3


def test_the_worker_writes_the_rest_while_it_sends_and_everyone_gets_it_once(database_url, sim, phones):
    with transaction(database_url) as session:
        add_members(session, phones)
        started = new_announcement(session)
        start_delivery(session, started, "announcement", followers, first_chunk=BATCH_SIZE)
        announcement_id = started.id
    assert ledger_statuses(database_url, announcement_id) == {"pending": 500}

    work(settings_for(database_url, sim), recipients_for=followers)

    stats = sim.client.stats()
    assert stats["recipients"] == len(phones) == 1200 and stats["duplicates"] == 0
    assert ledger_statuses(database_url, announcement_id) == {"sent": 1200}
    assert announcement(database_url, announcement_id).status == AnnouncementStatus.completed


def test_the_ledger_is_written_only_so_far_ahead_of_the_sending(session):
    add_members(session, user_ids(3000))
    announcement = new_announcement(session)
    start_delivery(session, announcement, "announcement", followers, first_chunk=1000)

    # Two batches are waiting to be sent: with a lead of two, the writer waits.
    assert continue_ledger(session, followers, 1000, lead=2) is None
    session.execute(update(Batch).values(status="sent"))
    assert continue_ledger(session, followers, 1000, lead=2) == 1000


def test_a_paused_announcement_waits_with_its_ledger_half_written(session):
    add_members(session, user_ids(1500))
    announcement = new_announcement(session)
    start_delivery(session, announcement, "announcement", followers, first_chunk=500)
    announcement.status = AnnouncementStatus.paused
    session.flush()

    assert continue_ledger(session, followers, 500) is None
    # Nothing a worker can do until it is resumed: `boktor worker --until-idle` may stop.
    assert not claims.has_work(session, "w")

    announcement.status = AnnouncementStatus.sending
    session.flush()
    assert claims.has_work(session, "w")
    assert write_all(session, 500) == 2
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1500


@pytest.mark.engines("postgresql")
def test_the_first_ledger_of_an_installation_is_shown_to_the_planner(session):
    from sqlalchemy import text

    def seen() -> float:
        return session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'deliveries'::regclass"))

    add_members(session, user_ids(3000))
    start_delivery(session, new_announcement(session), "announcement", followers, first_chunk=1000)
    assert seen() <= 0  # a new installation: PostgreSQL has never counted a ledger row

    continue_ledger(session, followers, 1000)

    # Counted now, so that claims read each batch's recipients with a join fit for thousands of rows.
    assert seen() == 2000
