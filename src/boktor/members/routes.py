"""Members' JSON API: roster upload (multipart), the list of rosters and their removal, for offices and the ministry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Response, UploadFile, status

from boktor.accounts.auth import require_role
from boktor.accounts.models import AdminUser
from boktor.members.rosters import (
    ROSTER_COLUMNS,
    RosterError,
    RosterNotYours,
    delete_roster,
    import_roster,
    list_rosters,
)
from boktor.members.tabular import TabularError, open_table
from boktor.org import areas
from boktor.web import DbSession

router = APIRouter(prefix="/api/rosters", tags=["rosters"])

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
RosterUser = Annotated[AdminUser, Depends(require_role("office", "communicator", "operator"))]


def _scoped_area(
    user: AdminUser, province: str | None, district: str | None
) -> tuple[str | None, str | None]:
    """The province and district the upload is for; an office may only upload for its own area."""
    if province:
        found = areas.find_province(province)
        if found is None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"Unknown province {province!r}.")
        province = found.code
    if user.scope_province_code:
        if province and province != user.scope_province_code:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"You may upload rosters only for {areas.area_name(user.scope_province_code)}.",
            )
        province = user.scope_province_code
    if user.scope_district_code:
        wanted = areas.find_district(district, province) if district else None
        if wanted is not None and wanted.code != user.scope_district_code:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"You may upload rosters only for {areas.area_name(user.scope_district_code)}.",
            )
        district = user.scope_district_code
    return province, district


@router.post("", status_code=status.HTTP_201_CREATED)
def upload_roster(
    user: RosterUser,
    session: DbSession,
    response: Response,
    file: Annotated[UploadFile, File(description="The roster: Excel .xlsx or CSV, with a header row.")],
    name: Annotated[str, Form(description="A name for this roster, e.g. 'บุคลากร พช. เชียงราย 2568'.")],
    province: Annotated[str | None, Form(description="Province code or name (offices: their own).")] = None,
    district: Annotated[
        str | None, Form(description="District code or name, if the roster is of one.")
    ] = None,
    organisation: Annotated[
        str | None, Form(description="Organisation code, Thai name or short name, if the roster is of one.")
    ] = None,
    replace: Annotated[
        bool,
        Form(description="Replace the roster of this name and scope as its next version (false: a new one)."),
    ] = True,
    dry_run: Annotated[bool, Form(description="Report what would change; store nothing.")] = False,
) -> dict[str, Any]:
    """Upload expected personnel; good rows are stored and matched, bad rows reported by line and column.

    A roster of the same name and scope is replaced as its next version (200): the people still on it keep
    their entries and personal invites. A new roster answers 201.
    """
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            detail=f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split the roster.",
        )
    province, district = _scoped_area(user, province, district)
    try:
        with open_table(file.file, ROSTER_COLUMNS, filename=file.filename or "the file") as table:
            report = import_roster(
                session,
                table,
                name=name,
                filename=file.filename,
                province_code=province,
                district_code=district,
                organisation=organisation,
                uploaded_by_id=user.id,
                replace=replace,
                dry_run=dry_run,
            )
    except (TabularError, RosterError) as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(error)) from error
    if report.replaced or report.dry_run:
        response.status_code = status.HTTP_200_OK
    return {**report.as_dict(), "skipped": report.skipped}


@router.get("")
def rosters(user: RosterUser, session: DbSession) -> dict[str, Any]:
    """The rosters this user may see (an office: its province's), newest first."""
    return {"rosters": list_rosters(session, province_code=user.scope_province_code)}


@router.delete("/{roster_id}")
def remove_roster(roster_id: int, user: RosterUser, session: DbSession) -> dict[str, Any]:
    """Remove a roster from what offices expect (an office: only one of its province); what it was.

    Members matched to it stay members; personal invites printed from it still open the survey.
    """
    try:
        return delete_roster(
            session,
            roster_id,
            province_code=user.scope_province_code,
            district_code=user.scope_district_code,
            actor_id=user.id,
            actor_label=user.username,
        )
    except RosterNotYours as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(error)) from error
    except RosterError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from error
