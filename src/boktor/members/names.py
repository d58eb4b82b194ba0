"""A person's name reduced to a key for matching: no titles, ranks, spaces or dots."""

from __future__ import annotations

import re
import unicodedata

# Titles and ranks written before a Thai name, in full and abbreviated. Longest first, so that
# "นางสาว" is not read as "นาง" + "สาว...".
_TITLES = sorted(
    {
        "นาย", "นาง", "นางสาว", "น.ส.", "นส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง", "คุณ",
        "ดร.", "ศ.", "รศ.", "ผศ.", "ศาสตราจารย์", "รองศาสตราจารย์", "ผู้ช่วยศาสตราจารย์", "นพ.", "พญ.",
        "ว่าที่ร้อยตรี", "ว่าที่ร้อยตรีหญิง", "ว่าที่ร.ต.", "ว่าที่ร.ต.หญิง", "ว่าที่",
        "ร.ต.", "ร.ท.", "ร.อ.", "พ.ต.", "พ.ท.", "พ.อ.", "พล.ต.", "พล.ท.", "พล.อ.",
        "ร้อยตรี", "ร้อยโท", "ร้อยเอก", "พันตรี", "พันโท", "พันเอก", "พลตรี", "พลโท", "พลเอก",
        "ส.ต.", "ส.ท.", "ส.อ.", "จ.ส.ต.", "จ.ส.ท.", "จ.ส.อ.", "สิบตรี", "สิบโท", "สิบเอก",
        "ร.ต.ต.", "ร.ต.ท.", "ร.ต.อ.", "พ.ต.ต.", "พ.ต.ท.", "พ.ต.อ.", "ด.ต.", "ส.ต.ต.", "ส.ต.ท.", "ส.ต.อ.",
        "หญิง", "mr.", "mrs.", "ms.", "miss", "dr.", "mr", "mrs", "ms", "dr",
    },
    key=len,
    reverse=True,
)  # fmt: skip
# A title stands alone ("นาย สมชาย") or is glued to the name as Thai writes it ("นายสมชาย"); an
# English title must be a word of its own.
_TITLE = re.compile(
    "^(?:" + "|".join(re.escape(t) + (r"(?=[\s.]|$)" if t.isascii() else "") for t in _TITLES) + r")\s*",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(r"[\s.\-\u200b\u200c\u200d\ufeff()]+")


def clean_name(full_name: str | None) -> str:
    """The name as written, with spacing tidied and Thai vowels typed two ways made one (นํ้า -> น้ำ)."""
    text = full_name or ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\u0e4d" in text:
        # SARA AM is often typed as NIKHAHIT + SARA AA, with a tone mark in either place.
        text = re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)
        text = re.sub("([\u0e48-\u0e4b])\u0e4d\u0e32", "\\1\u0e33", text)
    if "\u200b" in text:
        text = text.replace("\u200b", "")
    return " ".join(text.split())


def name_key(full_name: str | None) -> str:
    """The name without titles, ranks, spaces and dots, casefolded: "นางสาว สมหญิง  ใจดี" -> "สมหญิงใจดี"."""
    text = clean_name(full_name)
    # Titles can stack ("ว่าที่ร้อยตรี ดร. สมชาย"), but a name is never only a title.
    for _ in range(4):
        stripped = _TITLE.sub("", text, count=1)
        if stripped == text or not _NOT_NAME.sub("", stripped):
            break
        text = stripped
    return _NOT_NAME.sub("", text).casefold()
