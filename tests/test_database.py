"""The schema on both engines: migrations, constraints that the features rely on."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from boktor.db import engine_for
from boktor.interactions.models import InboxEvent
from boktor.members.models import Member, MemberTopic
from boktor.migrations import upgrade


def test_upgrade_is_idempotent_and_creates_every_table(database_url):
    upgrade(database_url)
    tables = set(inspect(engine_for(database_url)).get_table_names())
    expected = {
        "organisations", "personnel_types", "positions", "information_topics", "members", "member_topics",
        "rosters", "roster_entries", "invites", "survey_forms", "survey_responses", "announcements",
        "delivery_batches", "deliveries", "delivery_attempts", "acknowledgements", "inbox_events",
        "admin_users", "audit_log",
    }  # fmt: skip
    assert expected <= tables


def test_models_match_the_migrations(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from boktor.db import Base, load_all_models

    load_all_models()
    with engine_for(database_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], f"models and migrations differ; generate a migration: {diff}"


def test_line_user_id_is_unique(session):
    session.add(Member(line_user_id="U" + "a" * 32))
    session.commit()
    session.add(Member(line_user_id="U" + "a" * 32))
    with pytest.raises(IntegrityError):
        session.commit()


def test_member_topics_and_timestamps_round_trip(session):
    member = Member(line_user_id="U" + "b" * 32, display_name="สมชาย ใจดี")
    member.topics = [MemberTopic(topic_code="policy"), MemberTopic(topic_code="urgent")]
    session.add(member)
    session.commit()
    session.expire_all()
    loaded = session.scalars(select(Member)).one()
    assert loaded.topic_codes == ["policy", "urgent"]
    assert loaded.created_at.tzinfo is not None
    assert loaded.display_name == "สมชาย ใจดี"


def test_inbox_event_id_is_unique(session):
    session.add(InboxEvent(webhook_event_id="01H000000000000000000000AA", event_type="follow"))
    session.commit()
    session.add(InboxEvent(webhook_event_id="01H000000000000000000000AA", event_type="follow"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_ledger_keeps_its_batches_and_outcomes_through_a_downgrade_and_back(database_url):
    """0013: batches become member id ranges and rows take their batch's outcome; down and up keeps both."""
    from alembic import command
    from sqlalchemy import text, update

    from boktor.db import transaction
    from boktor.delivery.ledger import start_delivery
    from boktor.delivery.models import Batch, Delivery
    from boktor.migrations import alembic_config
    from tests.delivery.helpers import add_members, followers, new_announcement

    with transaction(database_url) as session:
        add_members(session, [f"U{n:032x}" for n in range(1, 1201)])
        start_delivery(session, new_announcement(session), "announcement", followers)
        first = session.scalar(select(Batch.id).order_by(Batch.seq).limit(1))
        session.execute(update(Batch).where(Batch.id == first).values(status="sent"))
        session.execute(update(Delivery).where(Delivery.member_id == 7).values(skipped=True))

    def batches() -> list[tuple]:
        with transaction(database_url) as session:
            return [tuple(row) for row in session.execute(
                select(Batch.id, Batch.first_member_id, Batch.last_member_id).order_by(Batch.id)
            )]  # fmt: skip

    before = batches()
    engine_for(database_url).dispose()
    command.downgrade(alembic_config(database_url), "0012")
    with engine_for(database_url).connect() as connection:
        marked = connection.execute(
            text(
                "SELECT batch_id, min(member_id), max(member_id) FROM deliveries GROUP BY batch_id ORDER BY 1"
            )
        ).all()
        statuses = dict(
            connection.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all()
        )
    engine_for(database_url).dispose()
    upgrade(database_url)

    assert [tuple(row) for row in marked] == before
    assert [row[1:] for row in before] == [(1, 500), (501, 1000), (1001, 1200)]
    assert statuses == {"sent": 499, "skipped": 1, "pending": 700}
    assert batches() == before
    with transaction(database_url) as session:
        assert session.scalars(select(Delivery.member_id).where(Delivery.skipped)).all() == [7]
