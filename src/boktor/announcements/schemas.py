"""What the JSON API takes for announcements (what it returns is built in results.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AnnouncementIn(BaseModel):
    """A new announcement: content, audience filter and whether a short quota may cut the audience."""

    title: str
    body: str
    category: str = Field(description="A category code (news, directive, ...) or its Thai name.")
    audience: dict[str, Any] = Field(default_factory=dict, description="A structured audience filter.")
    image_url: str | None = None
    link_url: str | None = None
    ack_deadline: datetime | None = Field(None, description="With a time zone, e.g. 2026-01-15T23:59+07:00.")
    allow_partial: bool = False


class AnnouncementChanges(BaseModel):
    """Changes to a draft: only the fields given change (null clears the image, link or deadline)."""

    title: str | None = None
    body: str | None = None
    category: str | None = None
    audience: dict[str, Any] = Field(default_factory=dict, description="Replaces the whole audience filter.")
    image_url: str | None = None
    link_url: str | None = None
    ack_deadline: datetime | None = None
    allow_partial: bool = False


class StepIn(BaseModel):
    """Optional details of a workflow step."""

    reason: str = Field(
        "", description="pause/cancel: for the record; return: why, for the writer (required)."
    )
    at: datetime | None = Field(None, description="approve/send: start at this time instead of now.")
    partial: bool | None = Field(None, description="send/remind: send to as many as the quota allows.")


class AudienceIn(BaseModel):
    audience: dict[str, Any] = Field(default_factory=dict)
