"""Phone numbers as offices and members write them become one form, or a plain reason why not."""

import pytest

from boktor.members.phones import is_mobile, normalise_phone


@pytest.mark.parametrize(
    "written",
    [
        "0812345678",
        "081-234-5678",
        "081 234 5678",
        "081.234.5678",
        "+66 81 234 5678",
        "+66812345678",
        "66812345678",
        "+66 (0)81 234 5678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        812345678,  # an Excel number cell: the leading 0 is gone
        812345678.0,
        "812345678.0",  # the same cell saved to CSV
        "8.12345678E8",
        " 0812345678 ",
    ],
)
def test_a_mobile_in_any_common_form_becomes_ten_digits(written):
    assert normalise_phone(written) == "0812345678"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("02-123-4567", "021234567"),
        ("(02) 123 4567", "021234567"),
        ("053-123456", "053123456"),
        ("053 123 456 ต่อ 12", "053123456"),
        (53123456.0, "053123456"),
    ],
)
def test_landlines_keep_nine_digits(written, expected):
    assert normalise_phone(written) == expected
    assert not is_mobile(expected)


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_nothing_written_is_no_phone(empty):
    assert normalise_phone(empty) is None


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("12345", "5 digits"),
        ("0712345678", "mobiles start with 06, 08 or 09"),
        ("08123456789", "11 digits"),
        ("โทร ศูนย์แปด", "not a phone number"),
        ("081-234-5678, 089-999-9999", "more than one"),
        ("0812345678 หรือ 0899999999", "more than one"),
        (8123456.5, "decimals"),
        ("+66+81", "not one phone number"),
    ],
)
def test_anything_else_is_refused_with_a_plain_reason(written, reason):
    with pytest.raises(ValueError, match=reason):
        normalise_phone(written)
