"""Recording audit entries; callers commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from boktor.audit.models import AuditEntry


def record(
    session: Session,
    action: str,
    subject_type: str,
    subject_id: int | None,
    *,
    actor_id: int | None = None,
    actor_label: str = "",
    **detail: Any,
) -> AuditEntry:
    """Add one audit entry to the session."""
    entry = AuditEntry(
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        actor_label=actor_label,
        detail=detail,
    )
    session.add(entry)
    return entry
