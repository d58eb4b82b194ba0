"""Dates and digits as Thai readers expect them."""

from datetime import UTC, date, datetime

from boktor.thai import thai_date, thai_datetime, thai_digits


def test_buddhist_era_date_in_bangkok_time():
    # 20:00 UTC on 14 January is already 15 January in Bangkok.
    assert thai_date(datetime(2019, 1, 14, 20, 0, tzinfo=UTC)) == "15 มกราคม 2562"
    assert thai_date(date(2019, 1, 15)) == "15 มกราคม 2562"


def test_datetime_and_thai_digits():
    assert thai_datetime(datetime(2019, 1, 15, 3, 30, tzinfo=UTC)) == "15 มกราคม 2562 เวลา 10:30 น."
    assert thai_date(date(2019, 1, 15), thai_digits=True) == "๑๕ มกราคม ๒๕๖๒"
    assert thai_digits("ที่ 0019.3/6 1223") == "ที่ ๐๐๑๙.๓/๖ ๑๒๒๓"
