"""Invites: join links and QR codes for one person, one district or one organisation, so joins are attributed."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from typing import Literal

import segno
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from boktor.config import Settings
from boktor.members.models import Invite, RosterEntry, update_entries
from boktor.org import areas
from boktor.org.models import Organisation
from boktor.survey.links import survey_url

InviteKind = Literal["person", "district", "organisation"]
KINDS: tuple[str, ...] = ("person", "district", "organisation")

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
# What people type by mistake, mapped to what they meant (Crockford's decoding rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
_CHUNK = 1000


class InviteError(ValueError):
    """An invite cannot be created as asked; the message says why."""


def new_code() -> str:
    """A random invite code of CODE_LENGTH Crockford base32 characters (40 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """The code as stored, from what someone typed ("ab12-cd3o" -> "AB12CD30")."""
    return (code or "").strip().upper().translate(_READ_AS)


def _unused_codes(session: Session, count: int) -> list[str]:
    """`count` fresh codes, none already in the database nor repeated among themselves."""
    codes: list[str] = []
    while len(codes) < count:
        wanted = count - len(codes)
        fresh = list({new_code() for _ in range(wanted)} - set(codes))
        for start in range(0, len(fresh), _CHUNK):
            chunk = fresh[start : start + _CHUNK]
            taken = set(session.scalars(select(Invite.code).where(Invite.code.in_(chunk))))
            codes.extend(code for code in chunk if code not in taken)
    return codes[:count]


def create_invite(
    session: Session,
    kind: InviteKind,
    *,
    roster_entry: RosterEntry | None = None,
    province_code: str | None = None,
    district_code: str | None = None,
    organisation_id: int | None = None,
    label: str = "",
) -> Invite:
    """A new invite of `kind`; a person's invite is tied to their roster entry (one each, reused)."""
    if kind not in KINDS:
        raise InviteError(f"Unknown invite kind {kind!r}; kinds are {', '.join(KINDS)}.")
    if kind == "person":
        if roster_entry is None:
            raise InviteError("A personal invite needs the roster entry of the person it is for.")
        if roster_entry.invite_id is not None:
            return session.get_one(Invite, roster_entry.invite_id)
        province_code = roster_entry.province_code
        district_code = roster_entry.district_code
        organisation_id = roster_entry.organisation_id
        label = label or roster_entry.full_name
    elif kind == "district":
        district = areas.district(district_code)
        if district is None:
            raise InviteError(f"No district with the code {district_code!r} (use the 4-digit DOPA code).")
        province_code = district.province_code
        label = label or areas.area_name(district.code)
    else:
        organisation = session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None:
            raise InviteError("An organisation invite needs an organisation from the catalogue.")
        if district_code:
            district = areas.district(district_code)
            if district is None:
                raise InviteError(f"No district with the code {district_code!r}.")
            province_code = district.province_code
        elif province_code and areas.province(province_code) is None:
            raise InviteError(f"No province with the code {province_code!r} (use the 2-digit DOPA code).")
        where = areas.area_name(district_code or province_code)
        label = label or " ".join(part for part in (organisation.name_th, where) if part)
    invite = Invite(
        code=_unused_codes(session, 1)[0],
        kind=kind,
        label=label[:200],
        province_code=province_code,
        district_code=district_code,
        organisation_id=organisation_id,
    )
    session.add(invite)
    session.flush()
    if roster_entry is not None:
        roster_entry.invite_id = invite.id
        session.flush()
    return invite


def district_invites(session: Session, province_code: str) -> list[Invite]:
    """One poster invite per district of a province: the existing ones, and new ones where missing."""
    if areas.province(province_code) is None:
        raise InviteError(f"No province with the code {province_code!r} (use the 2-digit DOPA code).")
    existing: dict[str, Invite] = {}
    for invite in session.scalars(
        select(Invite)
        .where(Invite.kind == "district", Invite.province_code == province_code)
        .order_by(Invite.id)
    ):
        existing.setdefault(invite.district_code, invite)
    return [
        existing.get(district.code) or create_invite(session, "district", district_code=district.code)
        for district in areas.districts(province_code)
    ]


def ensure_person_invites(
    session: Session, roster_id: int | None = None, *, entry_ids: Iterable[int] | None = None
) -> int:
    """Give every entry of a roster (or the given entries) a personal invite if it has none; how many were made."""
    if roster_id is None and entry_ids is None:
        raise InviteError("Say which roster or which entries need invites.")
    query = select(
        RosterEntry.id,
        RosterEntry.full_name,
        RosterEntry.province_code,
        RosterEntry.district_code,
        RosterEntry.organisation_id,
    ).where(RosterEntry.invite_id.is_(None))
    if roster_id is not None:
        query = query.where(RosterEntry.roster_id == roster_id)
    targets: list = []
    if entry_ids is None:
        targets = list(session.execute(query.order_by(RosterEntry.id)))
    else:
        ids = sorted(set(entry_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            targets.extend(session.execute(query.where(RosterEntry.id.in_(chunk)).order_by(RosterEntry.id)))
    if not targets:
        return 0
    session.flush()
    codes = _unused_codes(session, len(targets))
    rows = [
        {
            "code": code,
            "kind": "person",
            "label": (entry.full_name or "")[:200],
            "province_code": entry.province_code,
            "district_code": entry.district_code,
            "organisation_id": entry.organisation_id,
        }
        for entry, code in zip(targets, codes, strict=True)
    ]
    invite_ids = list(
        session.scalars(insert(Invite).returning(Invite.id, sort_by_parameter_order=True), rows)
    )
    update_entries(
        session,
        [
            {"id": entry.id, "invite_id": invite_id}
            for entry, invite_id in zip(targets, invite_ids, strict=True)
        ],
    )
    return len(targets)


def find_invite(session: Session, code: str | None) -> Invite | None:
    """The invite with `code` (as typed: case, dashes and O/0, I/1 confusions forgiven), if any."""
    code = normalise_code(code or "")
    if not code:
        return None
    return session.scalar(select(Invite).where(Invite.code == code))


def invite_link(settings: Settings, invite: Invite) -> str:
    """The link that opens the sign-up survey with this invite (LIFF in production)."""
    return survey_url(settings, invite.code)


def _qr(settings: Settings, invite: Invite) -> segno.QRCode:
    # Error level M survives a crumpled poster; the link is short enough for a small symbol.
    return segno.make_qr(invite_link(settings, invite), error="m")


def invite_qr_png(settings: Settings, invite: Invite, scale: int = 8) -> bytes:
    """A PNG of the invite's QR code, `scale` pixels per module, with the standard quiet zone."""
    buffer = io.BytesIO()
    _qr(settings, invite).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def invite_qr_svg(settings: Settings, invite: Invite, scale: int = 8) -> bytes:
    """An SVG of the invite's QR code (for posters printed at any size)."""
    buffer = io.BytesIO()
    _qr(settings, invite).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False)
    return buffer.getvalue()
