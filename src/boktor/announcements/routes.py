"""The announcements JSON API (bearer token): write, approve, send and follow announcements."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, status
from sqlalchemy.orm import Session

from boktor.accounts.auth import current_user
from boktor.accounts.models import AdminUser
from boktor.announcements import service
from boktor.announcements.audience import AudienceError, audience_count, normalize_audience
from boktor.announcements.cards import messages_for
from boktor.announcements.models import Announcement
from boktor.announcements.quota import QuotaUnavailable, current_quota
from boktor.announcements.results import announcement_status, summary
from boktor.announcements.schemas import AnnouncementChanges, AnnouncementIn, AudienceIn, StepIn
from boktor.config import Settings
from boktor.web import SESSION, get_settings_dep

router = APIRouter(prefix="/api", tags=["announcements"])
UNPROCESSABLE = 422

_STATUS = {
    service.NotAllowed: status.HTTP_403_FORBIDDEN,
    service.WrongState: status.HTTP_409_CONFLICT,
    service.QuotaRefused: status.HTTP_409_CONFLICT,
    service.InvalidAnnouncement: UNPROCESSABLE,
    AudienceError: UNPROCESSABLE,
}


def _refuse(error: Exception) -> HTTPException:
    code = next((c for kind, c in _STATUS.items() if isinstance(error, kind)), status.HTTP_400_BAD_REQUEST)
    return HTTPException(code, detail=str(error))


def _load(session: Session, announcement_id: int) -> Announcement:
    try:
        return service.get(session, announcement_id)
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from error


def _quota(session: Session, settings: Settings, audience: int) -> dict[str, Any]:
    try:
        quota = current_quota(session, settings)
    except QuotaUnavailable as error:
        return {"cost": audience, "fits": None, "error": str(error)}
    return {"cost": audience, "fits": quota.fits(audience), **quota.as_dict()}


@router.post("/audiences/count")
def count_audience(
    request: AudienceIn,
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
    user: AdminUser = Depends(current_user),
) -> dict[str, Any]:
    """How many followers an audience reaches, and what it costs of the monthly quota."""
    try:
        audience = normalize_audience(session, request.audience)
    except AudienceError as error:
        raise _refuse(error) from error
    reach = audience_count(session, audience)
    return {"audience": audience, "count": reach, "quota": _quota(session, settings, reach)}


@router.post("/announcements", status_code=status.HTTP_201_CREATED)
def create_announcement(
    request: AnnouncementIn,
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
    user: AdminUser = Depends(current_user),
) -> dict[str, Any]:
    """Write a draft announcement (communicators)."""
    try:
        announcement = service.create(session, user, **request.model_dump())
    except (service.WorkflowError, AudienceError) as error:
        raise _refuse(error) from error
    reach = audience_count(session, announcement.audience)
    result = {**summary(announcement), "audience_count": reach, "quota": _quota(session, settings, reach)}
    return result


@router.patch("/announcements/{announcement_id}")
def edit_announcement(
    announcement_id: int,
    request: AnnouncementChanges,
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
    user: AdminUser = Depends(current_user),
) -> dict[str, Any]:
    """Change a draft (communicators): only the fields given change; says which did."""
    announcement = _load(session, announcement_id)
    try:
        changed = service.edit(session, announcement, user, **request.model_dump(exclude_unset=True))
    except (service.WorkflowError, AudienceError) as error:
        raise _refuse(error) from error
    reach = audience_count(session, announcement.audience)
    return {**summary(announcement), "changed": changed, "audience_count": reach,
            "quota": _quota(session, settings, reach)}  # fmt: skip


@router.get("/announcements/{announcement_id}")
def read_announcement(
    announcement_id: int, session: Session = SESSION, user: AdminUser = Depends(current_user)
) -> dict[str, Any]:
    """One announcement as written, with its workflow dates."""
    announcement = _load(session, announcement_id)
    return {**summary(announcement), "body": announcement.body}


@router.get("/announcements/{announcement_id}/status")
def read_status(
    announcement_id: int, session: Session = SESSION, user: AdminUser = Depends(current_user)
) -> dict[str, Any]:
    """Targeted, sent, pending, failed (with LINE's messages), blocked, acknowledged, relayed and reach."""
    return announcement_status(session, _load(session, announcement_id))


@router.get("/announcements/{announcement_id}/preview")
def preview(
    announcement_id: int,
    purpose: str = "announcement",
    session: Session = SESSION,
    user: AdminUser = Depends(current_user),
) -> list[dict[str, Any]]:
    """The exact LINE message objects members will receive."""
    try:
        return messages_for(_load(session, announcement_id), purpose)
    except ValueError as error:
        raise HTTPException(UNPROCESSABLE, detail=str(error)) from error


STEPS = ("submit", "approve", "return", "send", "pause", "resume", "cancel", "remind")


@router.post("/announcements/{announcement_id}/{step}")
def take_step(
    announcement_id: int,
    step: str,
    request: StepIn | None = Body(None),
    session: Session = SESSION,
    settings: Settings = Depends(get_settings_dep),
    user: AdminUser = Depends(current_user),
) -> dict[str, Any]:
    """One workflow step: submit, approve, return (to draft, with a reason), send, pause, resume, cancel or remind."""
    if step not in STEPS:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"Unknown step {step!r}; steps are {', '.join(STEPS)}."
        )
    details = request or StepIn()
    announcement = _load(session, announcement_id)
    actions = {
        "submit": lambda: service.submit(session, announcement, user),
        "approve": lambda: service.approve(session, announcement, user, scheduled_at=details.at),
        "return": lambda: service.send_back(session, announcement, user, details.reason),
        "send": lambda: service.send(
            session, settings, announcement, user, at=details.at, partial=details.partial
        ),
        "pause": lambda: service.pause(session, announcement, user, details.reason),
        "resume": lambda: service.resume(session, settings, announcement, user),
        "cancel": lambda: service.cancel(session, announcement, user, details.reason),
        "remind": lambda: service.remind(session, settings, announcement, user, partial=details.partial),
    }
    try:
        outcome = actions[step]()
    except (service.WorkflowError, AudienceError) as error:
        raise _refuse(error) from error
    result = summary(announcement)
    if isinstance(outcome, service.SendResult):
        result["result"] = outcome.as_dict()
    return result
