"""The survey page is light enough for a cheap phone on a slow connection: ≤ 60 KB gzipped with its assets."""

from __future__ import annotations

from benchmarks.survey_page_weight import GOAL_BYTES, page_weight

from tests.apprunner import demo_settings, running_app


def test_the_page_and_its_own_assets_weigh_at_most_60_kb_gzipped(database_url: str) -> None:
    with running_app(demo_settings(database_url), background=False) as url:
        rows = page_weight(url)
    fetched = [what for what, _, _ in rows]
    assert (
        "page /liff/survey" in fetched and "/static/survey.js" in fetched and "/static/survey.css" in fetched
    )
    total = sum(zipped for _, _, zipped in rows)
    assert total <= GOAL_BYTES, rows
    # The 7,436 subdistricts are never sent to the page: only one district's list is.
    page = next(raw for what, raw, _ in rows if what == "page /liff/survey")
    assert page < 60_000
