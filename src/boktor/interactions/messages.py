"""What the account says to members in the chat: Thai texts and the LINE message objects that carry them."""

from __future__ import annotations

from typing import Any

ACCOUNT_NAME = "@มหาดไทย"
BRAND_COLOUR = "#1F3A68"

GREETING_TITLE = "ยินดีต้อนรับสู่ @มหาดไทย"
GREETING_BODY = (
    "ขอบคุณที่เข้าร่วมเครือข่ายการสื่อสารของกระทรวงมหาดไทย "
    "บัญชีนี้ใช้ส่งนโยบายสำคัญ ข่าวสาร ผลงานและความก้าวหน้าของงาน การชี้แจงประเด็นสำคัญ "
    "และข้อสั่งการ ถึงข้าราชการ บุคลากร และผู้นำท้องถิ่นทุกระดับโดยตรง"
)
GREETING_ASK = (
    "ขอความร่วมมือตอบแบบสำรวจสั้น ๆ เพื่อให้ท่านได้รับข้อมูลที่ตรงกับหน่วยงาน ตำแหน่ง และพื้นที่ของท่าน "
    "และเมื่อได้รับข่าวสารแล้ว ขอได้โปรดบอกต่อถึงพี่น้องประชาชนในพื้นที่ด้วย"
)
SURVEY_BUTTON = "ตอบแบบสำรวจ"
GREETING_ALT = "ยินดีต้อนรับสู่ @มหาดไทย กรุณาตอบแบบสำรวจเพื่อรับข่าวสารที่ตรงกับท่าน"

WELCOME_BACK = (
    "ยินดีต้อนรับกลับสู่ @มหาดไทย อีกครั้ง ท่านจะได้รับข่าวสารและข้อสั่งการตามข้อมูลที่เคยแจ้งไว้ "
    "หากข้อมูลของท่านเปลี่ยนไป พิมพ์ “แบบสำรวจ” เพื่อแก้ไขได้ทุกเมื่อ"
)

SURVEY_TITLE = "แบบสำรวจผู้รับข่าวสาร"
SURVEY_BODY = (
    "กรุณาแจ้งหน่วยงาน ตำแหน่ง และพื้นที่ของท่าน รวมทั้งประเภทข้อมูลที่ต้องการ "
    "ใช้เวลาประมาณ 2 นาที หากเคยตอบแล้ว สามารถเปิดเพื่อแก้ไขข้อมูลได้"
)
SURVEY_ALT = "แบบสำรวจผู้รับข่าวสาร @มหาดไทย"

HELP = (
    "@มหาดไทย ส่งข่าวสารและข้อสั่งการของกระทรวงมหาดไทยถึงท่านโดยตรง\n"
    "พิมพ์หรือแตะเมนูด้านล่างได้เลย\n"
    "• “ข่าวสาร” ดูข่าวล่าสุด\n"
    "• “แบบสำรวจ” ตอบหรือแก้ไขข้อมูลของท่าน\n"
    "• “สื่อประชาสัมพันธ์” สื่อสำหรับบอกต่อประชาชน\n"
    "• “ติดต่อ” ช่องทางติดต่อสอบถาม"
)

NEWS_HEADER = "ข่าวสารล่าสุดจาก @มหาดไทย"
NO_NEWS = "ขณะนี้ยังไม่มีข่าวสารใหม่ เมื่อมีข่าวสารหรือข้อสั่งการ ระบบจะส่งถึงท่านทางแชตนี้ทันที"

MEDIA = (
    "สื่อประชาสัมพันธ์ (ภาพ อินโฟกราฟิก และข้อความ) จะแนบมากับข่าวสารแต่ละเรื่อง "
    "ท่านสามารถส่งต่อให้ประชาชนทางไลน์กลุ่มหมู่บ้าน หอกระจายข่าว หรือการประชุมประจำเดือนได้ทันที "
    "เมื่อบอกต่อแล้ว กรุณาแตะ “บอกต่อแล้ว” ใต้ข่าวนั้น"
)

CONTACT = (
    "ติดต่อสอบถามเกี่ยวกับบัญชี @มหาดไทย ได้ที่สำนักงานต้นสังกัดของท่านในจังหวัดหรืออำเภอ\n"
    "เรื่องร้องเรียนหรือขอความช่วยเหลือของประชาชน: ศูนย์ดำรงธรรม สายด่วน 1567 (ตลอด 24 ชั่วโมง)\n"
    "หรือพิมพ์ข้อความถึงเราในแชตนี้"
)

UNKNOWN_ACTION = "ขออภัย ปุ่มนี้ใช้งานไม่ได้แล้ว กรุณาลองใหม่จากเมนูด้านล่าง หรือพิมพ์ “ช่วยเหลือ”"
NOT_UNDERSTOOD = "ขออภัย ระบบตอบได้เฉพาะข้อความ พิมพ์ “ช่วยเหลือ” เพื่อดูสิ่งที่ทำได้"

# Quick replies under help texts: (label, how it is sent).
QUICK_NEWS = "ข่าวสาร"
QUICK_SURVEY = "แบบสำรวจ"
QUICK_MEDIA = "สื่อประชาสัมพันธ์"
QUICK_CONTACT = "ติดต่อ"

# Keywords a member may type, in the order they are tried; matched as substrings of the lowered text.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("survey", ("แบบสำรวจ", "สำรวจ", "ลงทะเบียน", "survey")),
    ("news", ("ข่าว", "news")),
    ("media", ("สื่อ", "ประชาสัมพันธ์", "media")),
    ("contact", ("ติดต่อ", "contact", "เบอร์")),
    ("help", ("ช่วยเหลือ", "help", "เมนู", "วิธีใช้")),
)


def text(body: str, *, quick: bool = False) -> dict[str, Any]:
    """A text message, with the standard quick replies if asked."""
    message: dict[str, Any] = {"type": "text", "text": body[:5000]}
    if quick:
        message["quickReply"] = quick_replies()
    return message


def quick_replies() -> dict[str, Any]:
    """The quick replies that lead to everything a member can do."""
    return {
        "items": [
            {"type": "action", "action": {"type": "message", "label": QUICK_NEWS, "text": QUICK_NEWS}},
            {
                "type": "action",
                "action": {
                    "type": "postback",
                    "label": QUICK_SURVEY,
                    "data": "action=survey",
                    "displayText": QUICK_SURVEY,
                },
            },
            {"type": "action", "action": {"type": "message", "label": QUICK_MEDIA, "text": QUICK_MEDIA}},
            {"type": "action", "action": {"type": "message", "label": QUICK_CONTACT, "text": QUICK_CONTACT}},
        ]
    }


def _card(title: str, paragraphs: list[str], button_label: str, uri: str, alt_text: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "text", "text": title, "weight": "bold", "size": "lg", "color": BRAND_COLOUR, "wrap": True}
    ]
    body += [{"type": "text", "text": p, "size": "sm", "wrap": True, "margin": "md"} for p in paragraphs]
    return {
        "type": "flex",
        "altText": alt_text,
        "contents": {
            "type": "bubble",
            "body": {"type": "box", "layout": "vertical", "contents": body},
            "footer": {
                "type": "box",
                "layout": "vertical",
                "contents": [
                    {
                        "type": "button",
                        "style": "primary",
                        "color": BRAND_COLOUR,
                        "action": {"type": "uri", "label": button_label, "uri": uri},
                    }
                ],
            },
        },
    }


def greeting(survey_link: str) -> dict[str, Any]:
    """The card a new member receives: what the account is for, and the button that opens the survey."""
    return _card(GREETING_TITLE, [GREETING_BODY, GREETING_ASK], SURVEY_BUTTON, survey_link, GREETING_ALT)


def welcome_back() -> dict[str, Any]:
    """The short text for a member who unblocks the account and has already answered the survey."""
    return text(WELCOME_BACK, quick=True)


def survey_card(survey_link: str) -> dict[str, Any]:
    """A card with the button that opens the sign-up survey."""
    return _card(SURVEY_TITLE, [SURVEY_BODY], SURVEY_BUTTON, survey_link, SURVEY_ALT)


def news(titles: list[str]) -> dict[str, Any]:
    """The latest announcements' titles as one text, or a kind sentence if there are none."""
    if not titles:
        return text(NO_NEWS, quick=True)
    lines = [NEWS_HEADER, *(f"{n}. {title}" for n, title in enumerate(titles, start=1))]
    return text("\n".join(lines), quick=True)
