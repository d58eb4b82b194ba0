"""The demo's roster: a newcomer sees Chiang Rai's coverage (acknowledging too, and who has not acknowledged
last week's announcement), and a virtual phone that joins is counted."""

from __future__ import annotations

import json

from boktor.config import Settings
from boktor.demo import seed
from boktor.members.matching import match_member
from boktor.reports.acknowledgements import acknowledgements
from boktor.reports.coverage import coverage, missing_people
from boktor.reports.demo import NEVER_JOINED, seed_coverage_demo, seed_earlier_announcement
from boktor.reports.scope import resolve_scope
from tests.reports.people import member


def test_the_demo_roster_matches_the_demo_members_and_counts_a_new_join(session, tmp_path):
    phones_file = tmp_path / "phones.json"
    lines = seed(session, Settings(_env_file=None, BOKTOR_MODE="demo"), phones_file)
    phones = json.loads(phones_file.read_text(encoding="utf-8"))

    assert any(line.startswith("Roster:") for line in lines)
    assert seed_coverage_demo(session, phones_file) == []  # the demo's seed made it, once only
    chiang_rai = resolve_scope(session, "57")
    before = coverage(session, chiang_rai).total
    assert (before.expected, before.joined) == (len(phones) + len(NEVER_JOINED), 24)
    # Last week's announcement: two in three of the 24 acknowledged it, so coverage shows acknowledging.
    assert (before.acknowledging, before.acknowledging_pct) == (16, 66.7)
    [earlier] = [line for line in lines if line.startswith("Announcement ")]
    chased = acknowledgements(session, 1, chiang_rai)
    assert "boktor report acknowledgements 1 --province 57" in earlier and chased.past_deadline
    assert (chased.total.received, chased.total.acknowledged, chased.total.relayed) == (24, 16, 6)
    assert len(chased.unacknowledged) == 8 and all(
        p.area.endswith("จ.เชียงราย") for p in chased.unacknowledged
    )
    assert seed_earlier_announcement(session) == []  # once only
    missing = missing_people(session, chiang_rai)
    assert len(missing) == len(phones) - 24 + len(NEVER_JOINED) and all(p.invite_code for p in missing)

    # A phone that had not joined follows and answers the survey with its name and a district.
    names = [p["displayName"] for p in phones]
    newcomer = next(p for p in phones[24:] if names.count(p["displayName"]) == 1)
    joined = member(session, newcomer["displayName"], district="5709")
    joined.line_user_id = newcomer["userId"]
    assert match_member(session, joined).method == "name_area"

    after = coverage(session, chiang_rai)
    assert after.total.joined == 25
    assert next(row for row in after.rows if row.code == "5709").joined >= 1
