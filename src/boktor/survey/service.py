"""What the survey does with a submission: check it, update the member's profile, keep the response."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from boktor.db import utcnow
from boktor.line.liff import LineIdentity
from boktor.members.models import JoinedVia, Member, MemberStatus
from boktor.org.catalogue import Catalogue
from boktor.survey import validation
from boktor.survey.definition import FormDefinition
from boktor.survey.models import SurveyResponse
from boktor.survey.profile import apply_profile, profile_from_answers

log = logging.getLogger(__name__)


class SubmissionRejected(Exception):
    """Answers that cannot be accepted; `errors` holds a Thai message per question, in form order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"{len(errors)} answer(s) rejected")
        self.errors = errors


@dataclass
class Submission:
    """A stored submission: the member (new or updated), the response row and what roster matching found."""

    member: Member
    response: SurveyResponse
    created_member: bool
    match: dict[str, Any] | None


def check_answers(
    session: Session, form: FormDefinition, raw: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The clean answers and the member profile they give; SubmissionRejected if any answer fails."""
    checked = validation.check(form, raw)
    values, profile_errors = profile_from_answers(form, checked.answers, Catalogue(session))
    errors = {**checked.errors, **{k: v for k, v in profile_errors.items() if k not in checked.errors}}
    if errors:
        order = {f["name"]: i for i, f in enumerate(form.fields)}
        raise SubmissionRejected(dict(sorted(errors.items(), key=lambda item: order.get(item[0], 0))))
    return checked.answers, values


def member_for(session: Session, identity: LineIdentity) -> tuple[Member, bool]:
    """The member behind a verified identity, created if the follow event has not arrived yet."""
    member = session.scalar(select(Member).where(Member.line_user_id == identity.user_id))
    if member is not None:
        return member, False
    try:
        # A savepoint: the webhook may create the same member at this moment.
        with session.begin_nested():
            member = Member(
                line_user_id=identity.user_id,
                status=MemberStatus.follower,
                display_name=(identity.display_name or None) and identity.display_name[:200],
                joined_via=JoinedVia.search,
            )
            session.add(member)
        return member, True
    except IntegrityError:
        member = session.scalar(select(Member).where(Member.line_user_id == identity.user_id))
        assert member is not None
        return member, False


def submit(
    session: Session,
    form: FormDefinition,
    identity: LineIdentity,
    raw: dict[str, Any],
    invite_code: str | None = None,
    now: datetime | None = None,
) -> Submission:
    """Validate and store a member's answers: profile updated, a response row added, roster matched."""
    now = now or utcnow()
    answers, values = check_answers(session, form, raw)
    member, created = member_for(session, identity)
    apply_profile(member, form, values, now)
    response = SurveyResponse(
        form_pk=form.pk,
        member_id=member.id,
        answers=answers,
        consent_version=form.consent_version if values.get("consent") else None,
        submitted_at=now,
    )
    session.add(response)
    session.flush()
    match = _match(session, member, invite_code)
    return Submission(member=member, response=response, created_member=created, match=match)


def _match(session: Session, member: Member, invite_code: str | None) -> dict[str, Any] | None:
    """Link the member to the roster (and the invite they came by) with the members feature's matching."""
    from boktor.members.matching import match_member

    return match_member(session, member, invite_code or None).to_dict()
