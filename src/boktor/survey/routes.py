"""The survey over HTTP: the LIFF page, its lazily loaded choice lists, and submissions."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from boktor.config import Settings
from boktor.db import transaction
from boktor.line.liff import IdTokenError, LineIdentity, TokenProblem, verify_id_token
from boktor.survey import forms, messages
from boktor.survey.links import SURVEY_PATH
from boktor.survey.page import render_survey_page
from boktor.survey.service import SubmissionRejected, submit
from boktor.survey.thanks import send_thank_you

log = logging.getLogger(__name__)
router = APIRouter(tags=["survey"])

BODY_LIMIT = 64 * 1024
# A stored form version never changes, so its choice lists can be cached by phones and proxies.
CHOICES_CACHE = "public, max-age=86400"
_TOKEN_MESSAGES = {
    TokenProblem.missing: messages.TOKEN_MISSING,
    TokenProblem.invalid: messages.TOKEN_INVALID,
    TokenProblem.audience: messages.TOKEN_INVALID,
    TokenProblem.expired: messages.TOKEN_EXPIRED,
    TokenProblem.unavailable: messages.LINE_UNAVAILABLE,
}


def _settings(request: Request) -> Settings:
    return request.app.state.settings


@router.get(SURVEY_PATH, response_class=HTMLResponse)
def survey_page(request: Request) -> HTMLResponse:
    """The sign-up survey as a LIFF page (the shipped form is loaded first if no form is active)."""
    settings = _settings(request)
    with transaction(settings.database_url) as session:
        form = forms.ensure_active_definition(session)
    return HTMLResponse(render_survey_page(form, settings), headers={"Cache-Control": "no-cache"})


@router.get("/api/survey/forms/{form_pk}/choices/{field_name}")
def survey_choices(request: Request, form_pk: int, field_name: str) -> JSONResponse:
    """The choices a cascading question offers for the answers it depends on (e.g. ?province=57)."""
    settings = _settings(request)
    with transaction(settings.database_url) as session:
        form = forms.definition_by_pk(session, form_pk)
    field = form.by_name.get(field_name) if form else None
    if form is None or field is None or not field["list"]:
        return JSONResponse({"message": "No such form or question."}, status_code=404)
    answers = {name: request.query_params.get(name, "") for name in form.dependencies(field)}
    return JSONResponse(
        {"choices": form.choices_for(field, answers)}, headers={"Cache-Control": CHOICES_CACHE}
    )


async def _body(request: Request) -> dict[str, Any] | None:
    raw = await request.body()
    if len(raw) > BODY_LIMIT:
        return None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("answers", {}), dict):
        return None
    return body


def _store(settings: Settings, body: dict[str, Any], identity: LineIdentity) -> dict[str, Any]:
    """Check and store a submission in one transaction; the answer to send back to the page."""
    invite = body.get("invite")
    invite = str(invite)[:40] if invite else None
    try:
        with transaction(settings.database_url) as session:
            form_pk = body.get("form")
            form = forms.definition_by_pk(session, form_pk) if isinstance(form_pk, int) else None
            if form is None:
                return {"status": 409, "message": messages.FORM_CHANGED}
            result = submit(session, form, identity, body.get("answers") or {}, invite)
            return {
                "status": 200,
                "ok": True,
                "response": result.response.id,
                "form_version": form.version,
                "matched": bool(result.match and result.match["matched"]),
            }
    except SubmissionRejected as rejected:
        return {
            "status": 422,
            "message": messages.FIX_FIELDS.format(count=len(rejected.errors)),
            "errors": rejected.errors,
        }


@router.post("/api/survey/responses")
async def submit_response(request: Request, background: BackgroundTasks) -> JSONResponse:
    """A member's answers with their LIFF ID token: identity from LINE only, everything checked here."""
    settings = _settings(request)
    body = await _body(request)
    if body is None:
        return JSONResponse({"message": messages.BAD_REQUEST}, status_code=400)
    try:
        identity = await verify_id_token(settings, body.get("id_token"))
    except IdTokenError as error:
        status = 503 if error.problem is TokenProblem.unavailable else 401
        return JSONResponse(
            {"message": _TOKEN_MESSAGES[error.problem], "problem": error.problem.value}, status_code=status
        )
    outcome = await run_in_threadpool(_store, settings, body, identity)
    status = outcome.pop("status")
    if status == 200:
        # Queued after the commit above, so a member is never thanked for answers that were not kept.
        background.add_task(send_thank_you, settings, identity.user_id)
    return JSONResponse(outcome, status_code=status)
