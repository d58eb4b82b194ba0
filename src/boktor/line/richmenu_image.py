"""The rich menu's picture: four Thai labels on the ministry's colours, drawn by Boktor (Pillow)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 2500, 843
BACKGROUND = (31, 58, 104)  # the ministry's dark blue
TILE = (255, 255, 255)
ACCENT = (201, 151, 0)  # gold
TEXT = (31, 58, 104)
SUBTLE = (90, 104, 128)
# Debian's fonts-thai-tlwg; the first that exists is used.
THAI_FONTS = (
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Sawasdee-Bold.ttf",
    "/usr/share/fonts/opentype/tlwg/Garuda-Bold.otf",
)
IMAGE_BYTES_MAX = 1024 * 1024  # LINE's limit for a rich menu image


class NoThaiFont(RuntimeError):
    """No font that can draw Thai is installed."""


def thai_font(size: int) -> ImageFont.FreeTypeFont:
    for path in THAI_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise NoThaiFont(
        "No Thai font found: install Debian's fonts-thai-tlwg (apt-get install fonts-thai-tlwg)."
    )


def fitted(draw: ImageDraw.ImageDraw, text: str, size: int, room: int) -> ImageFont.FreeTypeFont:
    """The Thai font at `size`, smaller if needed for `text` to fit `room` pixels."""
    font = thai_font(size)
    while size > 20 and draw.textlength(text, font=font) > room:
        size -= 4
        font = thai_font(size)
    return font


def render(tiles: list[tuple[str, str]]) -> bytes:
    """A 2500x843 PNG with one tile per (label, subtitle), left to right, under LINE's 1 MB."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title = thai_font(118)
    width = WIDTH // len(tiles)
    margin = 24
    for index, (label, note) in enumerate(tiles):
        left = index * width
        box = (left + margin, margin, left + width - margin, HEIGHT - margin)
        draw.rounded_rectangle(box, radius=48, fill=TILE)
        centre = left + width // 2
        draw.ellipse((centre - 70, 120, centre + 70, 260), fill=ACCENT)
        draw.text((centre, 190), str(index + 1), font=title, fill=TILE, anchor="mm")
        room = width - 2 * margin - 60
        draw.text((centre, 450), label, font=fitted(draw, label, 118, room), fill=TEXT, anchor="mm")
        draw.text((centre, 620), note, font=fitted(draw, note, 56, room), fill=SUBTLE, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > IMAGE_BYTES_MAX:  # never with these flat colours, but LINE would refuse it
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        data = out.getvalue()
    return data
