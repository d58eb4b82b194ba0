"""Invites: a link and a QR code for one person, a district poster or an organisation, with short codes."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boktor.config import Settings
from boktor.db import session_factory
from boktor.members.invites import (
    ALPHABET,
    InviteError,
    create_invite,
    district_invites,
    ensure_person_invites,
    find_invite,
    invite_link,
    invite_qr_png,
    invite_qr_svg,
)
from boktor.members.models import Invite, RosterEntry
from tests.reports.people import entry, organisation_id, roster

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_a_district_poster_invite_has_a_short_unambiguous_code_and_a_thai_label(session):
    poster = create_invite(session, "district", district_code="5709")

    assert len(poster.code) == 8 and set(poster.code) <= set(ALPHABET)
    assert not set(poster.code) & set("ILOU")
    assert (poster.kind, poster.province_code, poster.district_code) == ("district", "57", "5709")
    assert poster.label == "อ.แม่สาย จ.เชียงราย"


def test_codes_typed_from_paper_are_forgiven(session):
    poster = create_invite(session, "district", district_code="5709")
    typed = poster.code.lower().replace("0", "o").replace("1", "l")
    typed = f"{typed[:4]}-{typed[4:]}"

    assert find_invite(session, typed).id == poster.id
    assert find_invite(session, "nothing1") is None


def test_every_entry_of_a_roster_gets_its_own_personal_invite_once(session):
    office = roster(session)
    people = [entry(session, office, f"นายคนที่ {n} ทดสอบ", district="5709") for n in range(1200)]
    already = create_invite(session, "person", roster_entry=people[0])

    assert ensure_person_invites(session, office.id) == 1199
    assert ensure_person_invites(session, office.id) == 0

    codes = session.scalars(select(Invite.code)).all()
    assert len(codes) == len(set(codes)) == 1200
    invite_ids = session.scalars(
        select(RosterEntry.invite_id).where(RosterEntry.roster_id == office.id)
    ).all()
    assert None not in invite_ids and len(set(invite_ids)) == 1200
    assert people[0].invite_id == already.id
    person = session.get(Invite, people[5].invite_id)
    assert (person.kind, person.label, person.district_code) == ("person", "นายคนที่ 5 ทดสอบ", "5709")


def test_invites_for_chosen_entries_only(session):
    office = roster(session)
    people = [entry(session, office, f"นางคน {n}") for n in range(5)]

    assert ensure_person_invites(session, entry_ids=[people[1].id, people[3].id]) == 2

    assert [p.invite_id is not None for p in people] == [False, True, False, True, False]
    assert session.scalar(select(func.count()).select_from(Invite)) == 2


def test_a_personal_invite_is_reused_not_duplicated(session):
    office = roster(session)
    somchai = entry(session, office, "นายสมชาย ใจดี")

    first = create_invite(session, "person", roster_entry=somchai)

    assert create_invite(session, "person", roster_entry=somchai).id == first.id
    assert first.label == "นายสมชาย ใจดี"


def test_an_organisation_invite_within_a_province(session):
    invite = create_invite(
        session, "organisation", organisation_id=organisation_id(session, "cdd"), province_code="57"
    )

    assert invite.label.startswith("กรมการพัฒนาชุมชน") and invite.label.endswith("จ.เชียงราย")


@pytest.mark.parametrize(
    ("kind", "fields", "words"),
    [
        ("district", {"district_code": "9999"}, "No district"),
        ("organisation", {"organisation_id": None}, "organisation"),
        ("person", {}, "roster entry"),
        ("poster", {}, "Unknown invite kind"),
    ],
)
def test_an_invite_that_cannot_be_made_says_why(session, kind, fields, words):
    with pytest.raises(InviteError, match=words):
        create_invite(session, kind, **fields)


def test_the_link_opens_the_survey_in_liff_in_production_and_on_boktor_in_demo(session):
    poster = create_invite(session, "district", district_code="5709")
    production = Settings(
        _env_file=None, BOKTOR_MODE="production", LIFF_ID="2000000000-AbCdEfGh",
        BOKTOR_PUBLIC_URL="https://boktor.moi.go.th",
    )  # fmt: skip
    demo = Settings(_env_file=None, BOKTOR_MODE="demo", BOKTOR_PUBLIC_URL="http://127.0.0.1:8080")

    assert invite_link(production, poster) == f"https://liff.line.me/2000000000-AbCdEfGh?invite={poster.code}"
    assert invite_link(demo, poster) == f"http://127.0.0.1:8080/liff/survey?invite={poster.code}"


def test_the_qr_code_is_a_png_and_an_svg_of_a_printable_size(session):
    poster = create_invite(session, "district", district_code="5709")
    settings = Settings(_env_file=None, BOKTOR_MODE="demo")

    png = invite_qr_png(settings, poster, scale=10)
    width, height = png_size(png)
    # A version 3-4 symbol (29-33 modules) plus the quiet zone, 10 px each: about 4 cm at 200 dpi.
    assert width == height and 370 <= width <= 420
    assert png_size(invite_qr_png(settings, poster, scale=5))[0] == width // 2
    svg = invite_qr_svg(settings, poster)
    assert svg.startswith(b"<svg") and b"</svg>" in svg


def boktor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "boktor.cli", *args], capture_output=True, text=True, timeout=60
    )


# The commands are a thin layer over what the tests above check on both engines; one engine keeps these quick.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_office_makes_a_district_poster_invite_and_its_qr_from_the_command_line(
    env, database_url, tmp_path
):
    poster = tmp_path / "แม่สาย.png"

    created = boktor("invite", "create", "--district", "5709", "--qr", str(poster), "--json")

    assert created.returncode == 0, created.stderr
    invite = json.loads(created.stdout)
    assert (invite["kind"], invite["label"], invite["district"]) == ("district", "อ.แม่สาย จ.เชียงราย", "5709")
    assert invite["link"].endswith(f"/liff/survey?invite={invite['code']}")
    assert png_size(poster.read_bytes())[0] > 200
    svg = tmp_path / "poster.svg"
    again = boktor("invite", "qr", invite["code"].lower(), str(svg))
    assert again.returncode == 0, again.stderr
    assert svg.read_bytes().startswith(b"<svg")
    with session_factory(database_url)() as session:
        assert find_invite(session, invite["code"]).label == "อ.แม่สาย จ.เชียงราย"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_organisation_and_personal_invites_from_the_command_line(env, database_url):
    with session_factory(database_url)() as session:
        somchai = entry(session, roster(session), "นายสมชาย ใจดี", district="5709")
        session.commit()

    cdd = boktor("invite", "create", "--organisation", "cdd", "--province", "57", "--json")
    person = boktor("invite", "create", "--roster-entry", str(somchai.id))

    assert cdd.returncode == 0 and json.loads(cdd.stdout)["label"] == "กรมการพัฒนาชุมชน จ.เชียงราย"
    assert (
        person.returncode == 0 and "นายสมชาย ใจดี" in person.stdout and "/liff/survey?invite=" in person.stdout
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_wrong_invite_request_fails_with_a_plain_message(env, database_url):
    nowhere = boktor("invite", "create", "--district", "9999", "--organisation", "cdd")
    unknown = boktor("invite", "qr", "ZZZZZZZZ", "/tmp/never.png")

    assert nowhere.returncode == 1 and "exactly one" in nowhere.stderr
    assert unknown.returncode == 1 and "No invite" in unknown.stderr


def test_a_province_gets_one_poster_invite_per_district_reused_next_time(session):
    first = district_invites(session, "57")

    assert [i.district_code for i in first] == [f"57{n:02d}" for n in range(1, 19)]
    assert district_invites(session, "57") == first
    with pytest.raises(InviteError, match="No province"):
        district_invites(session, "99")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_office_prints_the_qr_codes_of_all_its_district_posters(env, database_url, tmp_path):
    result = boktor("invite", "posters", "--province", "57", "--out", str(tmp_path / "posters"), "--json")

    assert result.returncode == 0, result.stderr
    posters = json.loads(result.stdout)
    assert len(posters) == 18 and posters[8]["label"] == "อ.แม่สาย จ.เชียงราย"
    assert all(png_size(Path(p["file"]).read_bytes())[0] > 200 for p in posters)
