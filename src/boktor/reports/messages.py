"""Thai words of the coverage report: table headings, sheet names and statuses."""

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
NOT_ON_ROSTER = "เข้าร่วมแต่ไม่อยู่ในบัญชีรายชื่อ (คน)"

SUMMARY_SHEET = "สรุปรายอำเภอ"
MISSING_SHEET = "รายชื่อผู้ที่ยังไม่เข้าร่วม"
MISSING_HEADINGS = (
    "ลำดับ",
    "ชื่อ-สกุล",
    "หน่วยงาน",
    "ตำแหน่ง",
    "พื้นที่",
    "โทรศัพท์",
    "สถานะ",
    "รหัสเชิญ",
    "ลิงก์เข้าร่วม",
)
NONE_MISSING = "ทุกคนในบัญชีรายชื่อเข้าร่วมแล้ว"

STATUS_NOT_JOINED = "ยังไม่เข้าร่วม"
STATUS_BLOCKED = "เลิกติดตามบัญชีแล้ว"
STATUS_NOT_FOLLOWING = "ยังไม่ได้เพิ่มเพื่อน"


def made_on(date_text: str) -> str:
    return f"ข้อมูล ณ วันที่ {date_text}"
