"""Thai words of the reports (coverage, acknowledgements): table headings, sheet names and statuses."""

from __future__ import annotations

NATIONAL = "ทั่วประเทศ"
UNSPECIFIED_AREA = "ไม่ระบุพื้นที่"
UNSPECIFIED_ORGANISATION = "ไม่ระบุหน่วยงาน"
TOTAL = "รวม"

TITLE = "ความครอบคลุมของการเข้าร่วมบัญชีทางการ LINE"
BREAKDOWN = {
    "province": "จังหวัด",
    "district": "อำเภอ",
    "subdistrict": "ตำบล",
    "organisation": "หน่วยงาน",
}

# Columns of the summary, in order.
CODE = "รหัส"
EXPECTED = "จำนวนที่คาดว่าจะเข้าร่วม (คน)"
JOINED = "เข้าร่วมแล้ว (คน)"
JOINED_PCT = "ร้อยละที่เข้าร่วม"
SURVEYED = "ตอบแบบสำรวจแล้ว (คน)"
SURVEYED_PCT = "ร้อยละที่ตอบแบบสำรวจ"
ACKNOWLEDGING_PCT = "ร้อยละที่รับทราบ (ของผู้เข้าร่วม)"
NOT_ON_ROSTER = "เข้าร่วมแต่ไม่อยู่ในบัญชีรายชื่อ (คน)"

# The first columns of a list of people to chase (the missing, or who has not acknowledged).
_PERSON_HEADINGS = ("ลำดับ", "ชื่อ-สกุล", "หน่วยงาน", "ตำแหน่ง", "พื้นที่", "โทรศัพท์", "สถานะ")

MISSING_SHEET = "รายชื่อผู้ที่ยังไม่เข้าร่วม"
MISSING_HEADINGS = (*_PERSON_HEADINGS, "รหัสเชิญ", "ลิงก์เข้าร่วม")
NONE_MISSING = "ทุกคนในบัญชีรายชื่อเข้าร่วมแล้ว"

STATUS_NOT_JOINED = "ยังไม่เข้าร่วม"
STATUS_BLOCKED = "เลิกติดตามบัญชีแล้ว"
STATUS_NOT_FOLLOWING = "ยังไม่ได้เพิ่มเพื่อน"
STATUS_FOLLOWING = "ติดตามบัญชีอยู่"


# One announcement's acknowledgements: the summary's columns after code and area, and who to chase.
ACK_COUNT_HEADINGS = (
    "ได้รับประกาศ (คน)",
    "รับทราบแล้ว (คน)",
    "ร้อยละที่รับทราบ",
    "บอกต่อแล้ว (คน)",
    "ร้อยละที่บอกต่อ",
    "ยังไม่รับทราบ (คน)",
)
UNACKNOWLEDGED_SHEET = "รายชื่อผู้ที่ยังไม่รับทราบ"
UNACKNOWLEDGED_HEADINGS = (*_PERSON_HEADINGS, "แจ้งเตือนแล้ว (ครั้ง)", "กำหนดรับทราบ")
NONE_UNACKNOWLEDGED = "ทุกคนที่ได้รับประกาศนี้รับทราบแล้ว"
PAST_DEADLINE = "เลยกำหนดแล้ว"
BEFORE_DEADLINE = "ยังไม่ถึงกำหนด"
NO_DEADLINE = "ไม่ได้กำหนดวันรับทราบ"


def made_on(date_text: str) -> str:
    return f"ข้อมูล ณ วันที่ {date_text}"


def acknowledging(days: int) -> str:
    """The heading of the acknowledging count: joined people who acknowledged something in the last `days`."""
    return f"รับทราบประกาศในรอบ {days} วัน (คน)"


def deadline(date_text: str) -> str:
    return f"กำหนดรับทราบภายใน {date_text}"


def acknowledgements_title(announcement_title: str, scope_title: str) -> str:
    return f"การรับทราบประกาศ “{announcement_title}” {scope_title}"
