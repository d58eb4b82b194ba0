"""An office sees, for one announcement, who in its area received it and has not acknowledged, to chase them."""

from __future__ import annotations

import pytest

from boktor.reports.acknowledgements import acknowledgements
from boktor.reports.scope import resolve_scope
from tests.reports.people import acknowledging_network


def counts(row) -> tuple:
    return (row.received, row.acknowledged, row.relayed)


def test_a_province_office_sees_who_has_not_acknowledged_and_the_counts_per_district(session):
    sent = acknowledging_network(session)

    report = acknowledgements(session, sent["flood"].id, resolve_scope(session, province="57"))

    assert report.breakdown == "district" and report.past_deadline
    rows = {row.code: row for row in report.rows}
    assert list(rows) == ["5701", "5709"]  # only districts that received it
    assert counts(rows["5709"]) == (4, 3, 1) and rows["5709"].name == "อ.แม่สาย"
    assert counts(rows["5701"]) == (1, 0, 1)
    assert counts(report.total) == (5, 3, 2)
    assert (report.total.acknowledged_pct, report.total.relayed_pct) == (60.0, 40.0)
    # ประเสริฐ passed it on without tapping รับทราบ; สมหญิง did nothing. Both were reminded once.
    assert [(p.full_name, p.area, p.reminders) for p in report.unacknowledged] == [
        ("ประเสริฐ วงศ์ใหญ่", "อ.เมืองเชียงราย จ.เชียงราย", 1),
        ("สมหญิง ศรีสุข", "อ.แม่สาย จ.เชียงราย", 1),
    ]  # fmt: skip
    prasert = report.unacknowledged[0]
    assert (prasert.organisation, prasert.position, prasert.status) == (
        "กรมการพัฒนาชุมชน", "นักวิชาการพัฒนาชุมชน", "ติดตามบัญชีอยู่",
    )  # fmt: skip


def test_the_whole_country_an_organisation_and_a_district(session):
    sent = acknowledging_network(session)
    flood = sent["flood"].id

    country = acknowledgements(session, flood, resolve_scope(session))
    cdd = acknowledgements(session, flood, resolve_scope(session, province="57", organisation="cdd"))
    mae_sai = acknowledgements(session, flood, resolve_scope(session, district="5709"))

    # มานพ's delivery failed: he did not receive it, so he is neither counted nor chased.
    assert country.breakdown == "province" and counts(country.total) == (6, 4, 2)
    assert {row.code: counts(row) for row in country.rows} == {"50": (1, 1, 0), "57": (5, 3, 2)}
    assert [p.full_name for p in country.unacknowledged] == ["ประเสริฐ วงศ์ใหญ่", "สมหญิง ศรีสุข"]
    assert counts(cdd.total) == (2, 1, 1) and [p.full_name for p in cdd.unacknowledged] == ["ประเสริฐ วงศ์ใหญ่"]
    assert counts(mae_sai.total) == (4, 3, 1) and [p.full_name for p in mae_sai.unacknowledged] == [
        "สมหญิง ศรีสุข"
    ]


def test_an_announcement_without_a_deadline_and_one_never_sent(session):
    sent = acknowledging_network(session)

    soil = acknowledgements(session, sent["soil"].id, resolve_scope(session, province="57"))
    draft = acknowledgements(session, sent["draft"].id, resolve_scope(session, province="57"))

    assert not soil.past_deadline and counts(soil.total) == (3, 1, 0)
    assert [p.full_name for p in soil.unacknowledged] == ["ประเสริฐ วงศ์ใหญ่", "สมชาย ใจดี"]
    assert counts(draft.total) == (0, 0, 0) and draft.unacknowledged == [] and draft.rows == []
    as_json = soil.to_dict()
    assert as_json["announcement"]["title"] == "วันดินโลก" and as_json["announcement"]["ack_deadline"] is None
    assert as_json["total"] == {
        "code": None, "name": "รวม", "received": 3, "acknowledged": 1, "acknowledged_pct": 33.3, "relayed": 0,
        "relayed_pct": 0.0, "not_acknowledged": 2,
    }  # fmt: skip


def test_an_unknown_announcement_is_refused_in_plain_words(session):
    with pytest.raises(LookupError, match="There is no announcement 999"):
        acknowledgements(session, 999, resolve_scope(session, province="57"))
