"""JSON API of reports: coverage per area or organisation, the list of who is missing, invite QR codes, and
who has not acknowledged an announcement."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlalchemy.orm import Session

from boktor.accounts.auth import current_user
from boktor.accounts.models import AdminUser
from boktor.config import Settings
from boktor.members.invites import find_invite, invite_qr_png
from boktor.org.models import Organisation
from boktor.reports.acknowledgements import AcknowledgementReport, acknowledgements
from boktor.reports.coverage import ACKNOWLEDGING_DAYS, coverage, missing_people
from boktor.reports.excel import acknowledgements_workbook, coverage_workbook
from boktor.reports.scope import Scope, ScopeError, resolve_scope
from boktor.web import SESSION, get_settings_dep

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(what: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=f"Your account may only see {what}.")


def _check_area(user: AdminUser, province_code: str | None, district_code: str | None) -> None:
    if user.scope_province_code and province_code != user.scope_province_code:
        raise _forbidden(f"province {user.scope_province_code}")
    if user.scope_district_code and district_code != user.scope_district_code:
        raise _forbidden(f"district {user.scope_district_code}")


def check_scope(user: AdminUser, scope: Scope) -> None:
    """Refuse (403) a scope outside the user's province, district or organisation."""
    _check_area(user, scope.province_code, scope.district_code)
    if user.scope_organisation_id and scope.organisation_id != user.scope_organisation_id:
        raise _forbidden("its own organisation")


PROVINCE = Query(None, description="Province code (57) or Thai name.")
DISTRICT = Query(None, description="District code (5709) or Thai name.")
ORGANISATION = Query(None, description="Organisation code (cdd) or Thai name.")
BY = Query(None, description="Break down by province, district, subdistrict or organisation.")
DAYS = Query(
    ACKNOWLEDGING_DAYS, ge=1, le=3660, description="Acknowledging: of announcements sent in the last N days."
)


def _asked_scope(
    province: str | None = PROVINCE,
    district: str | None = DISTRICT,
    organisation: str | None = ORGANISATION,
    user: AdminUser = Depends(current_user),
    session: Session = SESSION,
) -> Scope:
    """The scope asked for, limited to what the user may see; with nothing asked, the user's own scope."""
    if not (province or district) and (user.scope_province_code or user.scope_district_code):
        province, district = user.scope_province_code, user.scope_district_code
    if not organisation and user.scope_organisation_id:
        own = session.get(Organisation, user.scope_organisation_id)
        organisation = own.code if own else None
    try:
        scope = resolve_scope(session, province, district, organisation)
    except ScopeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error
    check_scope(user, scope)
    return scope


# Every report route takes its scope (and checks the user's token) through this one dependency.
ASKED_SCOPE = Depends(_asked_scope)


def _xlsx(content: bytes, name: str) -> Response:
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
    )


@router.get("/api/coverage")
def coverage_report(
    by: str | None = BY, days: int = DAYS, scope: Scope = ASKED_SCOPE, session: Session = SESSION
) -> dict:
    """Expected, joined, surveyed and acknowledging people, per area or organisation, with the total."""
    try:
        return coverage(session, scope, by, days=days).to_dict()  # type: ignore[arg-type]
    except ScopeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error


@router.get("/api/coverage/missing.xlsx")
def missing_workbook(
    days: int = DAYS,
    scope: Scope = ASKED_SCOPE,
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The coverage workbook: totals, and who is missing with a personal invite link each."""
    report = coverage(session, scope, days=days)
    content = coverage_workbook(settings, report, missing_people(session, scope))
    return _xlsx(content, "-".join(p for p in ("coverage", scope.file_suffix) if p))


def _acknowledgements(
    session: Session, announcement_id: int, scope: Scope, by: str | None
) -> AcknowledgementReport:
    try:
        return acknowledgements(session, announcement_id, scope, by)  # type: ignore[arg-type]
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    except ScopeError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error


@router.get("/api/announcements/{announcement_id}/acknowledgements")
def acknowledgements_report(
    announcement_id: int, by: str | None = BY, scope: Scope = ASKED_SCOPE, session: Session = SESSION
) -> dict:
    """Received, acknowledged and relayed per area of the user's scope, and who has not acknowledged."""
    return _acknowledgements(session, announcement_id, scope, by).to_dict()


@router.get("/api/announcements/{announcement_id}/unacknowledged.xlsx")
def unacknowledged_workbook(
    announcement_id: int, by: str | None = BY, scope: Scope = ASKED_SCOPE, session: Session = SESSION
) -> Response:
    """The same as a workbook: counts per area, and who has not acknowledged, to chase them."""
    report = _acknowledgements(session, announcement_id, scope, by)
    name = "-".join(p for p in (f"unacknowledged-{announcement_id}", scope.file_suffix) if p)
    return _xlsx(acknowledgements_workbook(report), name)


@router.get("/api/invites/{code}/qr.png")
def invite_qr(
    code: str,
    scale: int = Query(8, ge=1, le=40, description="Pixels per QR module."),
    user: AdminUser = Depends(current_user),
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The QR code of an invite, as a PNG to print on a poster or send to the person."""
    invite = find_invite(session, code)
    if invite is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No invite with the code {code!r}.")
    _check_area(user, invite.province_code, invite.district_code)
    return Response(
        invite_qr_png(settings, invite, scale=scale),
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400"},
    )
