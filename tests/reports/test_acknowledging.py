"""Coverage counts who is acknowledging: joined people who tapped "รับทราบ" on something sent in the last N days."""

from __future__ import annotations

from boktor.reports.coverage import coverage
from boktor.reports.scope import resolve_scope
from tests.reports.people import acknowledging_network, chiang_rai_network


def acknowledging(row) -> tuple:
    return (row.joined, row.acknowledging, row.acknowledging_pct)


def test_a_province_counts_its_joined_people_who_acknowledged_in_the_last_30_days(session):
    acknowledging_network(session)

    report = coverage(session, resolve_scope(session, province="57"))

    rows = {row.code: row for row in report.rows}
    # สมชาย acknowledged the flood order; สมหญิง only the soil day, 45 days ago; ประเสริฐ only relayed it.
    # สุรชัย (on no roster) and บุญมี (left) acknowledged too, but are not among the joined of a roster.
    assert acknowledging(rows["5709"]) == (2, 1, 50.0)
    assert acknowledging(rows["5701"]) == (1, 0, 0.0)
    assert acknowledging(rows["5710"]) == (0, 0, None)
    assert acknowledging(report.total) == (3, 1, 33.3)
    assert report.days == 30
    assert report.to_dict()["acknowledging_days"] == 30
    as_json = next(row for row in report.to_dict()["rows"] if row["code"] == "5709")
    assert (as_json["acknowledging"], as_json["acknowledging_pct"]) == (1, 50.0)


def test_a_longer_window_counts_older_announcements(session):
    acknowledging_network(session)

    report = coverage(session, resolve_scope(session, province="57"), days=60)
    short = coverage(session, resolve_scope(session, province="57"), days=1)

    rows = {row.code: row for row in report.rows}
    assert acknowledging(rows["5709"]) == (2, 2, 100.0) and acknowledging(report.total) == (3, 2, 66.7)
    assert report.days == 60
    assert acknowledging(short.total) == (3, 0, 0.0)  # the flood order went out 3 days ago


def test_the_whole_country_and_an_organisation_count_acknowledging_too(session):
    acknowledging_network(session)

    country = coverage(session, resolve_scope(session))
    by_organisation = coverage(session, resolve_scope(session), "organisation")
    cdd = coverage(session, resolve_scope(session, organisation="cdd"))
    cdd_in_chiang_rai = coverage(session, resolve_scope(session, province="57", organisation="cdd"))
    mae_sai = coverage(session, resolve_scope(session, district="5709"))

    rows = {row.code: row for row in country.rows}
    assert acknowledging(rows["57"]) == (3, 1, 33.3) and acknowledging(rows["50"]) == (1, 1, 100.0)
    assert acknowledging(country.total) == (4, 2, 50.0)
    organisations = {row.code: row for row in by_organisation.rows}
    assert acknowledging(organisations["cdd"]) == acknowledging(organisations[None]) == (2, 1, 50.0)
    # The country's single pass and the area queries agree.
    assert acknowledging(cdd.total) == acknowledging(cdd_in_chiang_rai.total) == (2, 1, 50.0)
    assert acknowledging(mae_sai.total) == (2, 1, 50.0)


def test_nothing_sent_yet_means_nobody_is_acknowledging(session):
    chiang_rai_network(session)

    report = coverage(session, resolve_scope(session, province="57"))

    assert acknowledging(report.total) == (3, 0, 0.0)
