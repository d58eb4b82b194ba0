"""The exact LINE messages of an announcement: a Flex card within LINE's limits, and reminders of it."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from boktor.announcements import messages as th
from boktor.announcements.models import Announcement
from boktor.thai import thai_date

# LINE's limits (see LINE-PLATFORM.md).
ALT_TEXT_MAX = 1500
BUBBLE_BYTES_MAX = 30 * 1024
TEXT_MAX = 5000
# Long enough for most announcements, short enough to read on a phone; the rest follows as text.
CARD_BODY_CHARS = 1000
_REMINDER = re.compile(r"^reminder-(\d+)$")


def category_name(code: str) -> str:
    """The Thai name of a category code (the code itself if unknown)."""
    return th.CATEGORIES.get(code, code)


def postback_data(action: str, announcement_id: int, **extra: str) -> str:
    """The postback data of a button: `action=ack&a=12` (short: LINE allows 300 characters)."""
    return "&".join([f"action={action}", f"a={announcement_id}", *(f"{k}={v}" for k, v in extra.items())])


def _button(action: dict[str, Any], style: str = "primary", colour: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "style": style, "height": "sm", "action": action}
    if colour:
        button["color"] = colour
    return button


def _footer(announcement: Announcement, colour: str) -> dict[str, Any]:
    buttons = [
        _button(
            {
                "type": "postback",
                "label": th.ACK_LABEL,
                "data": postback_data("ack", announcement.id),
                "displayText": th.ACK_LABEL,
            },
            colour=colour,
        ),
        _button(
            {
                "type": "postback",
                "label": th.RELAY_LABEL,
                "data": postback_data("relay", announcement.id),
                "displayText": th.RELAY_LABEL,
            },
            style="secondary",
        ),
    ]
    if announcement.link_url:
        buttons.append(
            _button({"type": "uri", "label": th.LINK_LABEL, "uri": announcement.link_url}, style="link")
        )
    return {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons}


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters with an ellipsis, never splitting a Thai vowel or tone mark."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    # A Thai vowel or tone mark (category Mn) belongs to the letter before it: keep them together.
    while cut > 0 and unicodedata.category(text[cut]) == "Mn":
        cut -= 1
    # Prefer ending at a space or line break (Thai separates phrases with spaces) if one is near.
    space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
    if space > 0 and space > cut - 80:
        cut = space
    return text[:cut].rstrip() + th.ELLIPSIS


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": text, "wrap": True, **style}


def _bubble(
    announcement: Announcement, *, label: str, title: str, body: str, colour: str, notes: list[str]
) -> dict[str, Any]:
    contents = [
        _text(label, size="xs", weight="bold", color=colour),
        _text(title, size="lg", weight="bold", color="#111111"),
        _text(body, size="sm", color="#333333"),
    ]
    for note in notes:
        contents.append(_text(note, size="xs", color="#888888"))
    if announcement.ack_deadline:
        deadline = th.DEADLINE.format(date=thai_date(announcement.ack_deadline))
        contents.append(_text(deadline, size="sm", weight="bold", color="#C53030"))
    bubble: dict[str, Any] = {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": contents},
        "footer": _footer(announcement, colour),
    }
    if announcement.image_url:
        bubble["hero"] = {
            "type": "image",
            "url": announcement.image_url,
            "size": "full",
            "aspectRatio": "20:13",
            "aspectMode": "cover",
        }
    return bubble


def _flex(alt_text: str, bubble: dict[str, Any]) -> dict[str, Any]:
    return {"type": "flex", "altText": shorten(alt_text, ALT_TEXT_MAX), "contents": bubble}


def bubble_bytes(bubble: dict[str, Any]) -> int:
    """The size of a bubble as LINE counts it: compact UTF-8 JSON."""
    return len(json.dumps(bubble, ensure_ascii=False, separators=(",", ":")).encode())


def announcement_messages(announcement: Announcement) -> list[dict[str, Any]]:
    """The card of an announcement, followed by its full text when the card could not hold it all."""
    colour = th.CATEGORY_COLOURS.get(announcement.category, "#1F4E9E")
    label = category_name(announcement.category)
    body = announcement.body.strip()
    card_body = shorten(body, CARD_BODY_CHARS)
    notes = [th.CONTINUED] if card_body != body else []
    bubble = _bubble(
        announcement, label=label, title=announcement.title, body=card_body, colour=colour, notes=notes
    )
    result = [_flex(f"{label}: {announcement.title}", bubble)]
    if notes:
        full = f"{announcement.title}\n\n{body}"
        # The body itself is at most 5,000 characters (checked when composing): it is never cut here.
        result.append({"type": "text", "text": full if len(full) <= TEXT_MAX else shorten(body, TEXT_MAX)})
    return result


def reminder_messages(announcement: Announcement, number: int) -> list[dict[str, Any]]:
    """A short reminder card for members who have not acknowledged, with the same buttons."""
    colour = th.CATEGORY_COLOURS["directive"]
    if announcement.started_at:
        body = th.REMINDER_BODY.format(title=announcement.title, sent=thai_date(announcement.started_at))
    else:
        body = th.REMINDER_BODY_UNDATED.format(title=announcement.title)
    label = f"{th.REMINDER_LABEL} · {category_name(announcement.category)}"
    if number > 1:
        label += f" (ครั้งที่ {number})"
    bubble = _bubble(announcement, label=label, title=th.REMINDER_TITLE, body=body, colour=colour, notes=[])
    bubble.pop("hero", None)  # a reminder stays small: the picture was in the announcement itself
    return [_flex(th.REMINDER_ALT.format(title=announcement.title), bubble)]


def reminder_number(purpose: str) -> int | None:
    """N of a "reminder-N" purpose, None for anything else."""
    match = _REMINDER.match(purpose)
    return int(match.group(1)) if match else None


def messages_for(announcement: Announcement, purpose: str = "announcement") -> list[dict[str, Any]]:
    """The exact LINE message objects (as LINE takes them) to send for an announcement or its Nth reminder."""
    if purpose == "announcement":
        return announcement_messages(announcement)
    number = reminder_number(purpose)
    if number is None:
        raise ValueError(f"Unknown purpose {purpose!r}: expected 'announcement' or 'reminder-N'.")
    return reminder_messages(announcement, number)
