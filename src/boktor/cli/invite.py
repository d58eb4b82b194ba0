"""`boktor invite`: join links and QR codes for a district, an organisation or one person."""

from __future__ import annotations

from pathlib import Path

import typer

from boktor.cli.common import JSON_OPTION, console, database, fail, print_json, settings
from boktor.members.invites import (
    InviteError,
    create_invite,
    district_invites,
    find_invite,
    invite_link,
    invite_qr_png,
    invite_qr_svg,
)
from boktor.members.models import Invite, RosterEntry
from boktor.org.catalogue import Catalogue

app = typer.Typer(help="Invites: join links and QR codes, so each join is attributed.", no_args_is_help=True)


def _write_qr(invite: Invite, file: Path, scale: int) -> None:
    """Write the QR code as SVG when the file name ends in .svg, PNG otherwise."""
    render = invite_qr_svg if file.suffix.lower() == ".svg" else invite_qr_png
    try:
        file.write_bytes(render(settings(), invite, scale=scale))
    except OSError as error:
        fail(f"Cannot write the QR code to {file}: {error.strerror or error}.")


@app.command("create")
def create(
    district: str | None = typer.Option(
        None, "--district", help="A district poster: the 4-digit code (5709)."
    ),
    organisation: str | None = typer.Option(
        None, "--organisation", help="An organisation's invite: its code (cdd) or Thai name."
    ),
    province: str | None = typer.Option(None, "--province", help="With --organisation: limit to a province."),
    roster_entry: int | None = typer.Option(
        None, "--roster-entry", help="A personal invite: the roster entry id."
    ),
    label: str = typer.Option("", "--label", help="What the invite is for (default: the area or person)."),
    qr: Path | None = typer.Option(None, "--qr", help="Also write the QR code here (.png or .svg)."),
    scale: int = typer.Option(10, "--scale", min=1, max=40, help="Pixels per QR module."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an invite and print its link (and write its QR code with --qr)."""
    chosen = [name for name, value in (("--district", district), ("--organisation", organisation),
                                        ("--roster-entry", roster_entry)) if value is not None]  # fmt: skip
    if len(chosen) != 1:
        fail("Give exactly one of --district, --organisation or --roster-entry.")
    with database() as session:
        try:
            if district:
                invite = create_invite(session, "district", district_code=district, label=label)
            elif organisation:
                catalogue = Catalogue(session)
                found = catalogue.find(catalogue.organisations, organisation)
                if found is None:
                    fail(f"No organisation {organisation!r} in the catalogue (see `boktor org list`).")
                invite = create_invite(
                    session, "organisation", organisation_id=found.id, province_code=province, label=label
                )
            else:
                entry = session.get(RosterEntry, roster_entry)
                if entry is None:
                    fail(f"No roster entry with the id {roster_entry}.")
                invite = create_invite(session, "person", roster_entry=entry, label=label)
        except InviteError as error:
            fail(str(error))
        link = invite_link(settings(), invite)
        if qr:
            _write_qr(invite, qr, scale)
        result = {"code": invite.code, "kind": invite.kind, "label": invite.label, "link": link,
                  "province": invite.province_code, "district": invite.district_code,
                  "qr": str(qr) if qr else None}  # fmt: skip
    if as_json:
        print_json(result)
        return
    console.print(f"Invite {result['code']} ({result['kind']}: {result['label']})", highlight=False)
    console.print(link, highlight=False, soft_wrap=True)
    if qr:
        console.print(f"QR code written to {qr}", highlight=False)


@app.command("qr")
def qr_code(
    code: str = typer.Argument(..., help="The invite code."),
    file: Path = typer.Argument(..., help="Where to write the QR code (.png or .svg)."),
    scale: int = typer.Option(10, "--scale", min=1, max=40, help="Pixels per QR module."),
) -> None:
    """Write the QR code of an existing invite to a file."""
    with database() as session:
        invite = find_invite(session, code)
        if invite is None:
            fail(f"No invite with the code {code!r}.")
        _write_qr(invite, file, scale)
        link = invite_link(settings(), invite)
    console.print(f"QR code of {invite.code} written to {file} ({link})", highlight=False, soft_wrap=True)


@app.command("posters")
def posters(
    province: str = typer.Option(..., "--province", help="The province code (57)."),
    out: Path = typer.Option(..., "--out", help="A folder for the QR codes, one per district."),
    svg: bool = typer.Option(False, "--svg", help="Write SVG (for print shops) instead of PNG."),
    scale: int = typer.Option(10, "--scale", min=1, max=40, help="Pixels per QR module (PNG)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A district poster invite for every district of a province, and its QR code in a folder."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"Cannot create the folder {out}: {error.strerror or error}.")
    written = []
    with database() as session:
        try:
            invites = district_invites(session, province)
        except InviteError as error:
            fail(str(error))
        for invite in invites:
            file = out / f"{invite.district_code}-{invite.code}.{'svg' if svg else 'png'}"
            _write_qr(invite, file, scale)
            written.append({"district": invite.district_code, "label": invite.label, "code": invite.code,
                            "link": invite_link(settings(), invite), "file": str(file)})  # fmt: skip
    if as_json:
        print_json(written)
        return
    for poster in written:
        console.print(
            f"{poster['district']}  {poster['label']}  {poster['code']}  {poster['file']}", highlight=False
        )
