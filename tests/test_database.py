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
