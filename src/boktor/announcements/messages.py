"""Every Thai text that members read about announcements: card labels, confirmations, reminders."""

from __future__ import annotations

# Category code -> the Thai name members see, in the order of the ministry's letter.
CATEGORIES: dict[str, str] = {
    "news": "ข่าวสารสำคัญ",
    "results": "ผลงาน",
    "progress": "ความก้าวหน้า",
    "projects": "โครงการสำคัญ",
    "clarification": "ชี้แจงประเด็นสำคัญ",
    "knowledge": "องค์ความรู้",
    "directive": "ข้อสั่งการ",
}
# A colour per category so a member tells a directive from a piece of knowledge at a glance.
CATEGORY_COLOURS: dict[str, str] = {
    "news": "#1F4E9E",
    "results": "#1B7F3B",
    "progress": "#0E7C86",
    "projects": "#7A4FB5",
    "clarification": "#B7791F",
    "knowledge": "#2B6CB0",
    "directive": "#C53030",
}

ACK_LABEL = "รับทราบ"
RELAY_LABEL = "บอกต่อแล้ว"
LINK_LABEL = "อ่านเพิ่มเติม"
DEADLINE = "โปรดรับทราบภายใน {date}"
CONTINUED = "อ่านต่อฉบับเต็มในข้อความถัดไป"
ELLIPSIS = "…"

REMINDER_LABEL = "แจ้งเตือน"
REMINDER_TITLE = "ขอความกรุณากดรับทราบ"
REMINDER_BODY = "ท่านยังไม่ได้กดรับทราบเรื่อง “{title}” ที่ส่งถึงท่านเมื่อ {sent} โปรดอ่านและกดปุ่ม “รับทราบ” ด้านล่าง"
REMINDER_BODY_UNDATED = "ท่านยังไม่ได้กดรับทราบเรื่อง “{title}” โปรดอ่านและกดปุ่ม “รับทราบ” ด้านล่าง"
REMINDER_ALT = "แจ้งเตือน: โปรดกดรับทราบเรื่อง {title}"

ACK_THANKS = "บันทึกการรับทราบเรื่อง “{title}” เรียบร้อยแล้ว ขอบคุณที่ติดตามข่าวสาร"
ACK_ALREADY = "ท่านกดรับทราบเรื่อง “{title}” ไว้แล้ว ไม่ต้องกดซ้ำ ขอบคุณ"
RELAY_THANKS = "ขอบคุณที่ช่วยบอกต่อเรื่อง “{title}” ถึงประชาชน ท่านบอกต่อไปประมาณกี่คน"
RELAY_ALREADY = "ท่านแจ้งว่าบอกต่อเรื่อง “{title}” ไว้แล้ว ขอบคุณ หากต้องการแก้จำนวนคนที่บอกต่อ เลือกได้ด้านล่าง"
REACH_THANKS = "บันทึกแล้วว่าท่านบอกต่อเรื่อง “{title}” ถึงประชาชน {bucket} ขอบคุณ"
UNKNOWN_ANNOUNCEMENT = "ขออภัย ไม่พบข่าวสารนี้ในระบบ อาจถูกยกเลิกไปแล้ว"
UNKNOWN_ACTION = "ขออภัย ระบบไม่เข้าใจคำสั่งนี้ โปรดกดปุ่มในข่าวสารอีกครั้ง"

# Reach bucket code -> the quick-reply label and how it reads in a sentence (codes avoid "+", which
# a query string reads as a space).
REACH_BUCKETS: dict[str, tuple[str, str]] = {
    "1-10": ("1–10 คน", "ประมาณ 1–10 คน"),
    "11-50": ("11–50 คน", "ประมาณ 11–50 คน"),
    "over-50": ("มากกว่า 50 คน", "มากกว่า 50 คน"),
}
