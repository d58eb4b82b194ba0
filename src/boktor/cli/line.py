"""`boktor line`: set up the LINE Official Account (the rich menu)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import typer

from boktor.cli.common import JSON_OPTION, console, fail, print_json, settings
from boktor.config import MissingSetting

app = typer.Typer(help="Set up the LINE Official Account.", no_args_is_help=True)


@app.command("richmenu")
def richmenu(
    as_json: bool = JSON_OPTION,
    image_out: Path | None = typer.Option(None, "--image-out", help="Also save the generated picture here."),
) -> None:
    """Create or update Boktor's Thai rich menu (ข่าวสาร / แบบสำรวจ / สื่อประชาสัมพันธ์ / ติดต่อ) as the default."""
    from boktor.line import richmenu as menus
    from boktor.line.richmenu_image import NoThaiFont

    current = settings()
    try:
        installed = asyncio.run(menus.install(current))
        if image_out is not None:
            image_out.write_bytes(menus.menu_image())
    except (MissingSetting, menus.RichMenuError, NoThaiFont) as error:
        fail(str(error))
    except httpx.HTTPError as error:
        fail(f"Cannot reach LINE at {current.line_api_base_url} ({type(error).__name__}: {error}).")
    if as_json:
        print_json(installed.as_dict())
        return
    console.print(
        f"Rich menu [bold]{installed.rich_menu_id}[/] is now the default for everyone "
        f"({installed.image_bytes:,} bytes {installed.image_type})."
    )
    if installed.removed:
        console.print(f"Removed Boktor's previous menu: {', '.join(installed.removed)}")
