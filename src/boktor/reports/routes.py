"""JSON API of reports: coverage per area or organisation, the list of who is missing, invite QR codes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from sqlalchemy.orm import Session

from boktor.accounts.auth import current_user
from boktor.accounts.models import AdminUser
from boktor.config import Settings
from boktor.members.invites import find_invite, invite_qr_png
from boktor.org.models import Organisation
from boktor.reports.coverage import CoverageError, Scope, coverage, missing_people, resolve_scope
from boktor.reports.excel import coverage_workbook
from boktor.web import SESSION, get_settings_dep

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forbidden(what: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=f"Your account may only see {what}.")


def _scope_for(
    session: Session,
    user: AdminUser,
    province: str | None,
    district: str | None,
    organisation: str | None,
) -> Scope:
    """The scope asked for, limited to what the user may see; with nothing asked, the user's own scope."""
    if not (province or district) and (user.scope_province_code or user.scope_district_code):
        province, district = user.scope_province_code, user.scope_district_code
    if not organisation and user.scope_organisation_id:
        own = session.get(Organisation, user.scope_organisation_id)
        organisation = own.code if own else None
    try:
        scope = resolve_scope(session, province, district, organisation)
    except CoverageError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error
    check_scope(user, scope)
    return scope


def check_scope(user: AdminUser, scope: Scope) -> None:
    """Refuse (403) a scope outside the user's province, district or organisation."""
    if user.scope_province_code and scope.province_code != user.scope_province_code:
        raise _forbidden(f"province {user.scope_province_code}")
    if user.scope_district_code and scope.district_code != user.scope_district_code:
        raise _forbidden(f"district {user.scope_district_code}")
    if user.scope_organisation_id and scope.organisation_id != user.scope_organisation_id:
        raise _forbidden("its own organisation")


@router.get("/api/coverage")
def coverage_report(
    province: str | None = Query(None, description="Province code (57) or Thai name."),
    district: str | None = Query(None, description="District code (5709) or Thai name."),
    organisation: str | None = Query(None, description="Organisation code (cdd) or Thai name."),
    by: str | None = Query(
        None, description="Break down by province, district, subdistrict or organisation."
    ),
    user: AdminUser = Depends(current_user),
    session: Session = SESSION,
) -> dict:
    """Expected, joined and surveyed people, per area or organisation, with the total."""
    scope = _scope_for(session, user, province, district, organisation)
    try:
        return coverage(session, scope, by).to_dict()  # type: ignore[arg-type]
    except CoverageError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error


@router.get("/api/coverage/missing.xlsx")
def missing_workbook(
    province: str | None = None,
    district: str | None = None,
    organisation: str | None = None,
    user: AdminUser = Depends(current_user),
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
) -> Response:
    """The coverage workbook: totals, and who is missing with a personal invite link each."""
    scope = _scope_for(session, user, province, district, organisation)
    report = coverage(session, scope)
    content = coverage_workbook(settings, report, missing_people(session, scope))
    name = "coverage-" + "-".join(
        p for p in (scope.district_code or scope.province_code, scope.organisation_code) if p
    )
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name.rstrip("-") or "coverage"}.xlsx"'},
    )


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
    if user.scope_province_code and invite.province_code != user.scope_province_code:
        raise _forbidden(f"province {user.scope_province_code}")
    if user.scope_district_code and invite.district_code != user.scope_district_code:
        raise _forbidden(f"district {user.scope_district_code}")
    return Response(
        invite_qr_png(settings, invite, scale=scale),
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400"},
    )
