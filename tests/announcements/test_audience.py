"""A communicator picks who receives an announcement by structured filters; only followers are ever reached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from boktor.announcements.audience import (
    AudienceError,
    audience_count,
    audience_select,
    describe_audience,
    normalize_audience,
)
from boktor.members.models import MemberStatus
from tests.announcements.helpers import add_member


def reached(session: Session, audience: dict) -> list[str]:
    """The LINE user IDs an audience reaches, in the order the engine will send."""
    return [row.line_user_id for row in session.execute(audience_select(audience))]


@pytest.fixture
def network(session: Session) -> dict[str, str]:
    """A small network in เชียงราย and ลำปาง, with the people that each filter should tell apart."""
    people = {
        # Chiang Rai, Mae Sai district, community development civil servant, wants policy news
        "cdd_maesai": add_member(session, organisation="cdd", district="5709", subdistrict="570901",
                                 position="district_cd_officer", topics=("policy", "projects")),
        # Chiang Rai, Mueang district, village headman (local leader), not surveyed, joined early 2025
        "headman_mueang": add_member(session, organisation="village_headman", personnel_type="local_leader",
                                     district="5701", subdistrict="570101", position="village_headman",
                                     topics=("urgent",), surveyed=False,
                                     followed_at=datetime(2025, 1, 10, tzinfo=UTC)),
        # Lampang, DOPA, government employee, joined mid 2025
        "dopa_lampang": add_member(session, organisation="dopa", personnel_type="government_employee",
                                   province="52", district="5201", subdistrict="520101",
                                   position="assistant_district_officer", topics=("policy",),
                                   followed_at=datetime(2025, 6, 1, tzinfo=UTC)),
        # Lampang, SAO mayor (local government)
        "sao_lampang": add_member(session, organisation="sao", personnel_type="local_executive",
                                  province="52", district="5201", position="sao_mayor", topics=("projects",)),
        # Would match almost everything, but blocked the account or was only imported: never reached
        "blocked": add_member(session, organisation="cdd", topics=("policy",), status=MemberStatus.blocked),
        "imported": add_member(session, organisation="cdd", topics=("policy",), status=MemberStatus.imported),
    }  # fmt: skip
    session.commit()
    return {name: member.line_user_id for name, member in people.items()}


def names(network: dict[str, str], ids: list[str]) -> set[str]:
    by_id = {v: k for k, v in network.items()}
    return {by_id[i] for i in ids}


CASES = [
    ({}, {"cdd_maesai", "headman_mueang", "dopa_lampang", "sao_lampang"}),
    ({"organisations": ["cdd"]}, {"cdd_maesai"}),
    ({"organisations": ["cdd", "dopa"]}, {"cdd_maesai", "dopa_lampang"}),
    ({"organisation_kinds": ["local_leader"]}, {"headman_mueang"}),
    ({"organisation_kinds": ["local_government"], "organisations": ["cdd"]}, {"sao_lampang", "cdd_maesai"}),
    ({"personnel_types": ["government_employee"]}, {"dopa_lampang"}),
    ({"positions": ["sao_mayor", "village_headman"]}, {"sao_lampang", "headman_mueang"}),
    ({"provinces": ["57"]}, {"cdd_maesai", "headman_mueang"}),
    ({"districts": ["5709"]}, {"cdd_maesai"}),
    ({"subdistricts": ["520101"]}, {"dopa_lampang"}),
    ({"districts": ["5709"], "subdistricts": ["520101"]}, {"cdd_maesai", "dopa_lampang"}),
    ({"topics": ["policy"]}, {"cdd_maesai", "dopa_lampang"}),
    ({"topics": ["policy", "urgent"]}, {"cdd_maesai", "dopa_lampang", "headman_mueang"}),
    ({"surveyed": True}, {"cdd_maesai", "dopa_lampang", "sao_lampang"}),
    ({"surveyed": False}, {"headman_mueang"}),
    ({"joined_before": "2025-03-01"}, {"headman_mueang"}),
    ({"joined_after": "2025-03-01", "joined_before": "2025-12-31"}, {"dopa_lampang"}),
    # three conditions at once, as in the benchmark: province + organisation kind + topic
    ({"provinces": ["52"], "organisation_kinds": ["department"], "topics": ["policy"]}, {"dopa_lampang"}),
    ({"provinces": ["57"], "topics": ["projects"], "surveyed": True, "personnel_types": ["civil_servant"]},
     {"cdd_maesai"}),
    ({"provinces": ["57"], "organisations": ["dopa"]}, set()),
]  # fmt: skip


@pytest.mark.parametrize(("audience", "expected"), CASES)
def test_each_filter_and_combination_reaches_exactly_the_right_followers(
    session: Session, network: dict[str, str], audience: dict, expected: set[str]
) -> None:
    ids = reached(session, audience)
    assert names(network, ids) == expected
    assert audience_count(session, audience) == len(expected)


def test_blocked_and_imported_members_are_never_reached(session: Session, network: dict[str, str]) -> None:
    everyone = reached(session, {}) + reached(session, {"organisations": ["cdd"], "topics": ["policy"]})
    assert network["blocked"] not in everyone
    assert network["imported"] not in everyone


def test_recipients_come_ordered_by_member_id_for_keyset_batches(
    session: Session, network: dict[str, str]
) -> None:
    rows = session.execute(audience_select({})).all()
    ids = [row.id for row in rows]
    assert ids == sorted(ids) and len(ids) == 4


def test_names_are_resolved_to_codes(session: Session, network: dict[str, str]) -> None:
    checked = normalize_audience(
        session, {"organisations": ["พช.", "กรมการปกครอง"], "provinces": ["เชียงราย"], "topics": "นโยบายสำคัญ"}
    )
    assert checked == {"organisations": ["cdd", "dopa"], "provinces": ["57"], "topics": ["policy"]}
    assert audience_count(session, {"provinces": ["จ.เชียงราย"], "organisations": ["พช."]}) == 1


@pytest.mark.parametrize(
    ("audience", "named"),
    [
        ({"province": ["57"]}, "'province'"),
        ({"organisations": ["nosuch"]}, "'nosuch'"),
        ({"organisation_kinds": ["ministry"]}, "'ministry'"),
        ({"personnel_types": ["wizard"]}, "'wizard'"),
        ({"positions": ["king"]}, "'king'"),
        ({"topics": ["sports"]}, "'sports'"),
        ({"provinces": ["99"]}, "'99'"),
        ({"districts": ["57"]}, "'57'"),
        ({"subdistricts": ["570999"]}, "'570999'"),
        ({"surveyed": "yes"}, "'surveyed'"),
        ({"joined_after": "last week"}, "'joined_after'"),
        ({"joined_after": "2025-05-01", "joined_before": "2025-01-01"}, "'joined_after'"),
        ({"organisations": {"code": "cdd"}}, "'organisations'"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_key_or_value(
    session: Session, audience: dict, named: str
) -> None:
    with pytest.raises(AudienceError, match=named):
        audience_count(session, audience)


def test_a_filter_never_becomes_sql(session: Session, network: dict[str, str]) -> None:
    with pytest.raises(AudienceError):
        audience_count(session, {"provinces": ["57' OR '1'='1"]})
    # Even unchecked, a value is only ever a bound parameter: it matches nobody.
    assert reached(session, {"provinces": ["57' OR '1'='1"]}) == []


def test_description_for_operators() -> None:
    assert describe_audience({}) == "every member who follows the account"
    assert "provinces: 57" in describe_audience({"provinces": ["57"], "surveyed": False})
