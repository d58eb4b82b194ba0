"""A provincial office uploads its roster over the JSON API with its token; it may only upload its own province."""

from __future__ import annotations

import httpx

from boktor.accounts.service import create_user, issue_token
from boktor.db import transaction
from tests.apprunner import demo_settings, running_app
from tests.members.test_roster import office_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_tokens(database_url: str) -> dict[str, str]:
    with transaction(database_url) as session:
        chiang_rai = create_user(session, "chiangrai", ["office"], scope_province_code="57")
        nan = create_user(session, "nan", ["office"], scope_province_code="55")
        ministry = create_user(session, "ministry", ["communicator"])
        approver = create_user(session, "approver", ["approver"])
        return {user.username: issue_token(user) for user in (chiang_rai, nan, ministry, approver)}


def test_roster_upload_and_list_over_http(database_url):
    tokens = make_tokens(database_url)
    workbook = office_workbook()

    def upload(token: str | None, data: dict, content: bytes = workbook, name: str = "รายชื่อ.xlsx"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post(
            "/api/rosters", headers=headers, data=data, files={"file": (name, content, XLSX)}, timeout=60
        )

    with (
        running_app(demo_settings(database_url), background=False) as url,
        httpx.Client(base_url=url) as client,
    ):
        done = upload(tokens["chiangrai"], {"name": "พช. เชียงราย 2568", "organisation": "พช."})
        assert done.status_code == 201, done.text
        body = done.json()
        assert (body["province_code"], body["entries"]) == ("57", 3)  # the office's province by default
        assert {(bad["line"], bad["column"]) for bad in body["bad_rows"]} == {
            (8, "district"),
            (9, "phone"),
            (10, "full_name"),
            (11, "full_name"),
        }
        assert body["matching"]["unmatched"] == 3
        assert body["skipped"]["footer"] >= 3

        other_province = upload(tokens["chiangrai"], {"name": "น่าน", "province": "น่าน"})
        assert other_province.status_code == 403
        assert other_province.json()["detail"] == "You may upload rosters only for จ.เชียงราย."

        assert upload(None, {"name": "x"}).status_code == 401
        assert upload(tokens["approver"], {"name": "x"}).status_code == 403

        junk = upload(tokens["ministry"], {"name": "junk"}, content=b"\x00\x01" * 5000, name="junk.xlsx")
        assert junk.status_code == 400
        assert "junk.xlsx is not a CSV or Excel (.xlsx) file" in junk.json()["detail"]
        no_header = upload(tokens["ministry"], {"name": "x"}, content=b"a,b\n1,2\n", name="a.csv")
        assert no_header.status_code == 400 and "No header row" in no_header.json()["detail"]

        ministry = upload(tokens["ministry"], {"name": "ทั้งประเทศ", "province": "57"})
        assert ministry.status_code == 201 and ministry.json()["matching"]["roster_id"] > body["roster_id"]

        def names(token: str) -> list[str]:
            listed = client.get("/api/rosters", headers={"Authorization": f"Bearer {token}"})
            assert listed.status_code == 200
            return [roster["name"] for roster in listed.json()["rosters"]]

        assert names(tokens["ministry"]) == ["ทั้งประเทศ", "พช. เชียงราย 2568"]
        assert names(tokens["chiangrai"]) == ["ทั้งประเทศ", "พช. เชียงราย 2568"]
        assert names(tokens["nan"]) == []
        listed = client.get("/api/rosters", headers={"Authorization": f"Bearer {tokens['chiangrai']}"}).json()
        office_roster = next(r for r in listed["rosters"] if r["id"] == body["roster_id"])
        assert office_roster["organisation_id"] is not None and office_roster["entries"] == 3


def test_an_office_uploads_its_corrected_roster_over_http(database_url):
    from tests.members.test_roster_versions import JANUARY, MARCH, workbook

    tokens = make_tokens(database_url)

    def upload(rows: list[list], **data: str) -> httpx.Response:
        return client.post(
            "/api/rosters",
            headers={"Authorization": f"Bearer {tokens['chiangrai']}"},
            data={"name": "พช. เชียงราย", **data},
            files={"file": ("รายชื่อ.xlsx", workbook(rows), XLSX)},
            timeout=60,
        )

    with (
        running_app(demo_settings(database_url), background=False) as url,
        httpx.Client(base_url=url) as client,
    ):
        first = upload(JANUARY)
        assert first.status_code == 201, first.text
        assert (first.json()["version"], first.json()["added"]) == (1, 4)

        preview = upload(MARCH, dry_run="true")
        assert preview.status_code == 200, preview.text
        counts = ("roster_id", "version", "kept", "updated", "added", "removed", "dry_run")
        assert [preview.json()[k] for k in counts] == [first.json()["roster_id"], 2, 1, 2, 1, 1, True]

        replaced = upload(MARCH)
        assert replaced.status_code == 200, replaced.text
        assert [replaced.json()[k] for k in counts] == [first.json()["roster_id"], 2, 1, 2, 1, 1, False]
        assert [bad["line"] for bad in replaced.json()["bad_rows"]] == [7]

        separate = upload(JANUARY, replace="false")
        assert separate.status_code == 201 and separate.json()["roster_id"] != first.json()["roster_id"]

        listed = client.get("/api/rosters", headers={"Authorization": f"Bearer {tokens['chiangrai']}"}).json()
        assert [(r["version"], r["entries"]) for r in listed["rosters"]] == [(1, 4), (2, 4)]
