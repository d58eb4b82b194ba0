"""Boktor's rich menu: create it, upload its picture, make it the default, and remove the one it replaces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from boktor.config import Settings
from boktor.line import richmenu_image

# Boktor's menus carry this name prefix, so that updating one never touches menus made by hand.
NAME_PREFIX = "boktor:"
MENU_NAME = f"{NAME_PREFIX}main"
CHAT_BAR_TEXT = "เมนู @มหาดไทย"  # LINE allows 14 characters

# (label on the picture, line under it, the action LINE performs when it is tapped)
TILES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("ข่าวสาร", "ข่าวล่าสุดและข้อสั่งการ", {"type": "message", "label": "ข่าวสาร", "text": "ข่าวสาร"}),
    (
        "แบบสำรวจ",
        "ตอบหรือแก้ไขข้อมูลของท่าน",
        {"type": "postback", "label": "แบบสำรวจ", "data": "action=survey", "displayText": "แบบสำรวจ"},
    ),
    (
        "สื่อประชาสัมพันธ์",
        "สำหรับบอกต่อประชาชน",
        {"type": "message", "label": "สื่อประชาสัมพันธ์", "text": "สื่อประชาสัมพันธ์"},
    ),
    ("ติดต่อ", "ช่องทางติดต่อสอบถาม", {"type": "message", "label": "ติดต่อ", "text": "ติดต่อ"}),
)


class RichMenuError(RuntimeError):
    """LINE refused a rich menu request; the message says which and why."""


@dataclass
class InstalledMenu:
    rich_menu_id: str
    image_bytes: int
    image_type: str
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rich_menu_id": self.rich_menu_id,
            "name": MENU_NAME,
            "default": True,
            "image_bytes": self.image_bytes,
            "image_type": self.image_type,
            "removed": self.removed,
        }


def data_host(api_base_url: str) -> str:
    """Where LINE takes uploads: api-data.line.me for api.line.me, the same host otherwise (the simulator)."""
    parts = urlsplit(api_base_url)
    if parts.hostname == "api.line.me":
        return urlunsplit(parts._replace(netloc=parts.netloc.replace("api.line.me", "api-data.line.me")))
    return api_base_url


def menu_definition() -> dict[str, Any]:
    """The rich menu object: four equal areas across a 2500x843 picture."""
    width = richmenu_image.WIDTH // len(TILES)
    areas = [
        {
            "bounds": {"x": index * width, "y": 0, "width": width, "height": richmenu_image.HEIGHT},
            "action": action,
        }
        for index, (_, _, action) in enumerate(TILES)
    ]
    return {
        "size": {"width": richmenu_image.WIDTH, "height": richmenu_image.HEIGHT},
        "selected": True,
        "name": MENU_NAME,
        "chatBarText": CHAT_BAR_TEXT,
        "areas": areas,
    }


def menu_image() -> bytes:
    """The picture for menu_definition()."""
    return richmenu_image.render([(label, note) for label, note, _ in TILES])


def _check(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code >= 400:
        raise RichMenuError(f"LINE refused to {what}: HTTP {response.status_code} {response.text[:500]}")
    return response


async def install(settings: Settings) -> InstalledMenu:
    """Create Boktor's rich menu with its picture, make it everyone's default, delete Boktor's older menus."""
    settings.require_line_channel()
    headers = {"Authorization": f"Bearer {settings.line_channel_access_token}"}
    image = menu_image()
    image_type = "image/png" if image.startswith(b"\x89PNG") else "image/jpeg"
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        api = settings.line_api_base_url
        listed = _check(await http.get(f"{api}/v2/bot/richmenu/list"), "list rich menus").json()
        older = [
            m["richMenuId"] for m in listed.get("richmenus", []) if m.get("name", "").startswith(NAME_PREFIX)
        ]
        created = _check(await http.post(f"{api}/v2/bot/richmenu", json=menu_definition()), "create the menu")
        menu_id = created.json()["richMenuId"]
        try:
            _check(
                await http.post(
                    f"{data_host(api)}/v2/bot/richmenu/{menu_id}/content",
                    content=image,
                    headers={"Content-Type": image_type},
                ),
                "upload the menu picture",
            )
            _check(await http.post(f"{api}/v2/bot/user/all/richmenu/{menu_id}"), "make the menu the default")
        except RichMenuError:
            await http.delete(
                f"{api}/v2/bot/richmenu/{menu_id}"
            )  # leave the old menu in place, not a half one
            raise
        for old in older:
            _check(await http.delete(f"{api}/v2/bot/richmenu/{old}"), f"delete the old menu {old}")
    return InstalledMenu(menu_id, len(image), image_type, older)
