"""An office removes a roster it uploaded by mistake (or twice): its people no longer count as expected.

What the office sees: the coverage report's "expected" drops back; the members matched to that roster stay
members; the command line says what would go and deletes only with --yes; over the API an office may remove
only its own province's rosters, and the audit log keeps who removed which.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from sqlalchemy import func, select
from typer.testing import CliRunner

from boktor.accounts.service import create_user, issue_token
from boktor.audit.models import AuditEntry
from boktor.cli import app
from boktor.db import transaction
from boktor.members.models import Member, Roster, RosterEntry
from boktor.members.rosters import delete_roster
from boktor.reports.coverage import coverage
from boktor.reports.scope import Scope
from tests.apprunner import demo_settings, running_app
from tests.members.test_roster import office_workbook, run


def expected_in_chiang_rai(session) -> int:
    return coverage(session, Scope(province_code="57")).total.expected


def test_a_roster_uploaded_twice_is_removed_and_expected_drops_back(session):
    session.add(
        Member(line_user_id="U" + "1" * 32, full_name="สมชาย ใจดี", phone="0812345678", province_code="57")
    )
    first = run(session, office_workbook(), name="พช. เชียงราย 2568", province_code="57")
    twice = run(session, office_workbook(), name="พช. เชียงราย 2568", province_code="57", replace=False)
    assert expected_in_chiang_rai(session) == 6  # the same three people, counted twice

    # The first upload is the one whose สมชาย was matched to the member who joined.
    removed = delete_roster(session, first.roster_id, actor_label="somchai")
    session.commit()

    assert (removed["entries"], removed["matched"], removed["rematched"]) == (3, 1, 1)
    assert expected_in_chiang_rai(session) == 3
    # สมชาย still counts as joined: the roster that is left now expects him.
    assert coverage(session, Scope(province_code="57")).total.joined == 1
    assert session.scalars(select(Roster.id)).all() == [twice.roster_id]
    assert session.scalar(select(func.count()).select_from(RosterEntry)) == 3
    assert session.scalar(select(func.count()).select_from(Member)) == 1  # the matched member stays
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.deleted")).one()
    assert (audit.subject_id, audit.actor_label, audit.detail["entries"]) == (first.roster_id, "somchai", 3)


def test_the_delete_command_says_what_would_go_and_deletes_only_with_yes(env, tmp_path: Path):
    path = tmp_path / "รายชื่อ.xlsx"
    path.write_bytes(office_workbook())
    runner = CliRunner(env={"COLUMNS": "200"})
    assert (
        runner.invoke(app, ["roster", "import", str(path), "--name", "พช.", "--province", "57"]).exit_code
        == 0
    )
    roster_id = json.loads(runner.invoke(app, ["roster", "list", "--json"]).stdout)["rosters"][0]["id"]

    asked = runner.invoke(app, ["roster", "delete", str(roster_id)])
    assert asked.exit_code == 1
    assert (
        f"Roster {roster_id} 'พช.' (3 people, 0 of them matched to members) would be deleted" in asked.stdout
    )
    assert len(json.loads(runner.invoke(app, ["roster", "list", "--json"]).stdout)["rosters"]) == 1

    done = runner.invoke(app, ["roster", "delete", str(roster_id), "--yes"])
    assert done.exit_code == 0, done.output
    assert f"Deleted roster {roster_id} 'พช.'" in done.stdout
    assert json.loads(runner.invoke(app, ["roster", "list", "--json"]).stdout)["rosters"] == []

    gone = runner.invoke(app, ["roster", "delete", str(roster_id), "--yes"])
    assert gone.exit_code == 1 and f"There is no roster {roster_id}" in gone.stderr


def test_over_the_api_an_office_removes_only_its_own_provinces_rosters(database_url):
    with transaction(database_url) as session:
        chiang_rai = create_user(session, "chiangrai", ["office"], scope_province_code="57")
        nan = create_user(session, "nan", ["office"], scope_province_code="55")
        tokens = {user.username: issue_token(user) for user in (chiang_rai, nan)}
        roster_id = run(session, office_workbook(), name="พช. เชียงราย", province_code="57").roster_id

    def remove(who: str, which: int) -> httpx.Response:
        return client.delete(f"/api/rosters/{which}", headers={"Authorization": f"Bearer {tokens[who]}"})

    with (
        running_app(demo_settings(database_url), background=False) as url,
        httpx.Client(base_url=url) as client,
    ):
        refused = remove("nan", roster_id)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "You may remove rosters only of จ.น่าน."
        done = remove("chiangrai", roster_id)
        assert done.status_code == 200 and done.json()["entries"] == 3
        assert remove("chiangrai", roster_id).status_code == 404

    with transaction(database_url) as session:
        assert session.scalar(select(func.count()).select_from(Roster)) == 0
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.deleted")).one()
        assert audit.actor_label == "chiangrai"
