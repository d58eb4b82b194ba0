"""The XPath subset of relevant, constraint and choice_filter: what a form author writes and what it means."""

from __future__ import annotations

import pytest

from boktor.survey import xpath


def holds(text: str, answers: dict | None = None, dot: xpath.Value = "", columns: dict | None = None) -> bool:
    return xpath.holds(xpath.parse(text), answers or {}, dot, (columns or {}).get)


def test_relevant_follows_earlier_answers() -> None:
    assert holds("${position} = 'other'", {"position": "other"})
    assert not holds("${position} = 'other'", {"position": "kamnan"})
    assert holds("${position} != 'other'", {"position": ""})
    assert holds(
        "selected(${topics}, 'urgent') and not(selected(${topics}, 'policy'))", {"topics": "urgent results"}
    )
    assert not holds("selected(${topics}, 'urgent')", {"topics": ""})
    assert holds("count-selected(${topics}) >= 2 or ${age} > 59", {"topics": "a", "age": 60.0})


def test_constraint_reads_the_current_answer_as_dot() -> None:
    assert holds(". >= 1 and . <= 99", dot=7.0)
    assert not holds(". >= 1 and . <= 99", dot=100.0)
    assert not holds(". >= 1", dot="")  # an empty answer is not a number
    assert holds("string-length(.) <= 5", dot="สมชาย")  # five Thai characters
    assert holds(r"regex(., '^0[689]\d{8}$')", dot="0812345678")
    assert not holds(r"regex(., '^0[689]\d{8}$')", dot="0212345678")
    assert holds("contains(., 'อ.') or starts-with(., 'อำเภอ')", dot="อำเภอแม่สาย")


def test_choice_filter_reads_choice_columns_by_bare_name() -> None:
    assert holds("province = ${province}", {"province": "57"}, columns={"province": "57"})
    assert not holds("province = ${province}", {"province": "50"}, columns={"province": "57"})
    assert holds("orgs = '' or selected(orgs, ${org})", {"org": "cdd"}, columns={"orgs": "dopa cdd"})
    assert holds("orgs = '' or selected(orgs, ${org})", {"org": "pea"}, columns={})


def test_comparisons_follow_xpath_types() -> None:
    assert holds("${n} = 57", {"n": "57"})  # a number on one side compares as numbers
    assert holds("${n} = '57'", {"n": "57"})
    assert not holds("${n} = '057'", {"n": "57"})
    assert holds("${n} + 1 = 3 and 7 mod 4 = 3 and 9 div 3 = 3 and -2 * 2 = -4", {"n": 2.0})
    assert holds("true() and not(false())")
    assert holds("number('12') > 9 and string(5) = '5'")


def test_references_and_columns_are_known_before_evaluating() -> None:
    node = xpath.parse("district = ${district} and ${x} > 1")
    assert xpath.references(node) == {"district", "x"}
    assert xpath.columns(node) == {"district"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("today() > 1", "today() is not supported"),
        ("pulldata('x', 'y', 'z', 'w')", "pulldata() is not supported"),
        ("__import__('os').system('id')", "cannot read"),
        ("${a} | ${b}", "cannot read"),
        ("${a} = ", "ends too early"),
        ("(${a} = 1", "expected ')'"),
        ("regex(., '[')", "not a valid regular expression"),
        ("selected(${a})", "takes 2 argument"),
        ("", "empty"),
    ],
)
def test_anything_outside_the_subset_is_refused_by_name(text: str, says: str) -> None:
    with pytest.raises(xpath.ExpressionError, match=says.replace("(", r"\(").replace(")", r"\)")):
        xpath.parse(text)
