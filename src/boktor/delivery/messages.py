"""What the delivery engine tells operators (pause reasons, progress), in one place."""

from __future__ import annotations

QUOTA_PAUSE = (
    "LINE says the monthly message quota is used up ({line}). Raise it in LINE Official Account Manager, "
    "then resume."
)
CONTENT_FAILED = "Boktor could not build the LINE messages for this announcement: {error}"
RETRY_KEY_EXPIRED = (
    "LINE did not confirm this batch within 23 hours of the first attempt. LINE forgets retry keys after 24 "
    "hours, so sending it again could reach people twice; it is not retried automatically."
)
PROGRESS = (
    "batches sent: {sent}, failed: {failed}; recipients reached: {recipients}; in flight: {in_flight}; "
    "pace {rate:.0f} requests/s"
)
STOPPING = "Stopping: finishing {in_flight} requests in flight."
IDLE = "Nothing left to send."


def quota_pause(line_message: str | None) -> str:
    """The pause reason shown to operators when LINE refuses for the monthly quota."""
    return QUOTA_PAUSE.format(line=line_message or "429 monthly limit")
