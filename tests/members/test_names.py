"""Names written with or without titles, ranks and odd spacing give one key for matching."""

import pytest

from boktor.members.names import clean_name, name_key


@pytest.mark.parametrize(
    "written",
    [
        "สมชาย ใจดี",
        "นายสมชาย ใจดี",
        "นาย สมชาย  ใจดี",
        "ว่าที่ร้อยตรี สมชาย ใจดี",
        "ว่าที่ ร.ต. สมชาย ใจดี",
        "ว่าที่ร้อยตรี ดร. สมชาย ใจดี",
        "ดร.สมชาย ใจดี",
        "พ.ต.อ.สมชาย ใจดี",
        "จ.ส.อ. สมชาย ใจดี",
        "\u200bสมชาย\u00a0ใจดี ",
    ],
)
def test_titles_ranks_and_spacing_do_not_change_the_key(written):
    assert name_key(written) == "สมชายใจดี"


@pytest.mark.parametrize("written", ["นางสาวสมหญิง ใจดี", "น.ส. สมหญิง ใจดี", "นางสมหญิง ใจดี", "นส.สมหญิง ใจดี"])
def test_women_titles_are_removed_whole(written):
    assert name_key(written) == "สมหญิงใจดี"


def test_sara_am_typed_two_ways_is_one_name():
    assert name_key("นาย นํ้าฝน ใจดี") == name_key("น้ำฝน ใจดี")
    assert clean_name("นํ้าฝน  ใจดี") == "น้ำฝน ใจดี"


def test_english_titles_only_as_words():
    assert name_key("Mr. John Smith") == "johnsmith"
    assert name_key("Drake Bell") == "drakebell"


def test_a_name_that_is_only_a_title_is_kept_and_empty_is_empty():
    assert name_key("นาง") == "นาง"
    assert name_key("") == ""
    assert name_key(None) == ""
