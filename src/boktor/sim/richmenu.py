"""Rich menus: create, list, get, delete, upload the image, and set the default for all users."""

from __future__ import annotations

import struct
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from boktor.sim.http import json_response, read_json
from boktor.sim.state import SimState
from boktor.sim.validation import Detail, LineError, invalid

Guard = Callable[
    [str, str | None, Callable[[web.Request], Awaitable[web.StreamResponse]]],
    Callable[[web.Request], Awaitable[web.StreamResponse]],
]

IMAGE_BYTES_MAX = 1024 * 1024
AREAS_MAX = 20
NOT_FOUND = {"message": "Not found"}


def image_size(data: bytes, content_type: str) -> tuple[int, int] | None:
    """Return (width, height) of a PNG or JPEG image, or None if the bytes are not that kind of image."""
    if content_type == "image/png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        # Start-of-frame markers (baseline, progressive, ...) carry the dimensions.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def rich_menu_problems(menu: Any) -> list[Detail]:
    """Return LINE's rich menu rules that this body breaks."""
    if not isinstance(menu, dict):
        return [("Must be an object", "")]
    out: list[Detail] = []
    size = menu.get("size")
    width = height = 0
    if not isinstance(size, dict) or not all(isinstance(size.get(k), int) for k in ("width", "height")):
        out.append(("Must have integer width and height", "size"))
    else:
        width, height = size["width"], size["height"]
        if not 800 <= width <= 2500:
            out.append(("Must be between 800 and 2500", "size.width"))
        if height < 250 or width / max(height, 1) < 1.45:
            out.append(("Must be at least 250 and width/height at least 1.45", "size.height"))
    if not isinstance(menu.get("selected"), bool):
        out.append(("Must be true or false", "selected"))
    name = menu.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 300:
        out.append(("Length must be between 1 and 300", "name"))
    bar = menu.get("chatBarText")
    if not isinstance(bar, str) or not 1 <= len(bar) <= 14:
        out.append(("Length must be between 1 and 14", "chatBarText"))
    areas = menu.get("areas")
    if not isinstance(areas, list) or len(areas) > AREAS_MAX:
        out.append((f"Size must be between 0 and {AREAS_MAX}", "areas"))
        return out
    for i, area in enumerate(areas):
        bounds = area.get("bounds") if isinstance(area, dict) else None
        if not isinstance(bounds, dict) or not all(
            isinstance(bounds.get(k), int) and bounds[k] >= 0 for k in ("x", "y", "width", "height")
        ):
            out.append(("Must have non-negative integer x, y, width and height", f"areas[{i}].bounds"))
        elif width and (bounds["x"] + bounds["width"] > width or bounds["y"] + bounds["height"] > height):
            out.append(("Must lie within the rich menu", f"areas[{i}].bounds"))
        action = area.get("action") if isinstance(area, dict) else None
        if not isinstance(action, dict) or not isinstance(action.get("type"), str):
            out.append(("May not be empty", f"areas[{i}].action"))
    return out


class RichMenus:
    """Rich menu endpoints; images are served on the same host although LINE uses api-data.line.me."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    def routes(self, guard: Guard) -> list[web.RouteDef]:
        """Return the rich menu routes wrapped by the Messaging API guard."""
        return [
            web.post("/v2/bot/richmenu", guard("richmenu/create", None, self.create)),
            web.post("/v2/bot/richmenu/validate", guard("richmenu/validate", None, self.validate)),
            web.get("/v2/bot/richmenu/list", guard("richmenu/list", None, self.list)),
            web.get("/v2/bot/user/all/richmenu", guard("richmenu/default", None, self.get_default)),
            web.delete("/v2/bot/user/all/richmenu", guard("richmenu/default", None, self.cancel_default)),
            web.post("/v2/bot/user/all/richmenu/{id}", guard("richmenu/default", None, self.set_default)),
            web.get("/v2/bot/richmenu/{id}", guard("richmenu/get", None, self.get)),
            web.delete("/v2/bot/richmenu/{id}", guard("richmenu/delete", None, self.delete)),
            web.post("/v2/bot/richmenu/{id}/content", guard("richmenu/content", None, self.upload)),
            web.get("/v2/bot/richmenu/{id}/content", guard("richmenu/content", None, self.download)),
        ]

    def _menu(self, request: web.Request) -> dict[str, Any]:
        menu = self.state.rich_menus.get(request.match_info["id"])
        if menu is None:
            raise LineError(404, NOT_FOUND)
        return menu

    async def _checked(self, request: web.Request) -> dict[str, Any]:
        menu = await read_json(request)
        problems = rich_menu_problems(menu)
        if problems:
            raise invalid(problems)
        return menu

    async def create(self, request: web.Request) -> web.Response:
        """POST /v2/bot/richmenu."""
        menu = await self._checked(request)
        menu_id = self.state.ids.rich_menu_id()
        self.state.rich_menus[menu_id] = {"richMenuId": menu_id, **menu}
        return json_response({"richMenuId": menu_id})

    async def validate(self, request: web.Request) -> web.Response:
        """POST /v2/bot/richmenu/validate."""
        await self._checked(request)
        return json_response({})

    async def list(self, request: web.Request) -> web.Response:
        """GET /v2/bot/richmenu/list."""
        return json_response({"richmenus": list(self.state.rich_menus.values())})

    async def get(self, request: web.Request) -> web.Response:
        """GET /v2/bot/richmenu/{id}."""
        return json_response(self._menu(request))

    async def delete(self, request: web.Request) -> web.Response:
        """DELETE /v2/bot/richmenu/{id}."""
        menu = self._menu(request)
        del self.state.rich_menus[menu["richMenuId"]]
        self.state.rich_menu_images.pop(menu["richMenuId"], None)
        if self.state.default_rich_menu == menu["richMenuId"]:
            self.state.default_rich_menu = None
        return json_response({})

    async def upload(self, request: web.Request) -> web.Response:
        """POST /v2/bot/richmenu/{id}/content with a PNG or JPEG body the size of the menu."""
        menu = self._menu(request)
        content_type = request.content_type
        if content_type not in ("image/png", "image/jpeg"):
            raise LineError(415, {"message": "Unsupported Media Type: use image/png or image/jpeg"})
        if menu["richMenuId"] in self.state.rich_menu_images:
            raise LineError(400, {"message": "An image has already been uploaded to the richmenu"})
        data = await request.read()
        if len(data) > IMAGE_BYTES_MAX:
            raise LineError(413, {"message": "Request Entity Too Large"})
        size = image_size(data, content_type)
        if size is None:
            raise LineError(
                400, {"message": "The image is not a valid " + content_type.split("/")[1].upper()}
            )
        if size != (menu["size"]["width"], menu["size"]["height"]):
            raise LineError(400, {"message": "An image size must be the same as the rich menu size"})
        self.state.rich_menu_images[menu["richMenuId"]] = (content_type, data)
        return json_response({})

    async def download(self, request: web.Request) -> web.Response:
        """GET /v2/bot/richmenu/{id}/content."""
        menu = self._menu(request)
        image = self.state.rich_menu_images.get(menu["richMenuId"])
        if image is None:
            raise LineError(404, NOT_FOUND)
        return web.Response(body=image[1], content_type=image[0])

    async def set_default(self, request: web.Request) -> web.Response:
        """POST /v2/bot/user/all/richmenu/{id}: needs the image uploaded first."""
        menu = self._menu(request)
        if menu["richMenuId"] not in self.state.rich_menu_images:
            raise LineError(400, {"message": "must upload richmenu image before applying it to user"})
        self.state.default_rich_menu = menu["richMenuId"]
        return json_response({})

    async def get_default(self, request: web.Request) -> web.Response:
        """GET /v2/bot/user/all/richmenu."""
        if self.state.default_rich_menu is None:
            raise LineError(404, {"message": "no default richmenu"})
        return json_response({"richMenuId": self.state.default_rich_menu})

    async def cancel_default(self, request: web.Request) -> web.Response:
        """DELETE /v2/bot/user/all/richmenu."""
        self.state.default_rich_menu = None
        return json_response({})
