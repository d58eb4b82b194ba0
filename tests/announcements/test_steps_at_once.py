"""Two people take a step on one announcement at the same moment: the second sees what the first did.

What an office sees: an approver sends an approved announcement back to its writer while the writer presses
"send". Either it goes back and nothing is sent, or it is sent and the approver is told it has started: never
both, a "draft" whose ledger is being sent to 300,000 people.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boktor.announcements import service
from boktor.announcements.models import AnnouncementStatus
from boktor.announcements.steps import WrongState
from boktor.config import Settings
from boktor.db import session_factory
from boktor.delivery.models import Batch
from tests.announcements.helpers import add_member

pytestmark = pytest.mark.engines("postgresql")  # SQLite has one writer: its second transaction is refused


def test_a_send_waits_for_a_send_back_in_progress_and_is_refused(
    database_url: str, session: Session, settings: Settings, people: dict
) -> None:
    for _ in range(3):
        add_member(session, province="57")
    announcement = service.create(
        session, people["writer"], title="ประชุมด่วน", body="ขอเชิญกำนันทุกตำบล", category="ข้อสั่งการ",
        audience={"provinces": ["เชียงราย"]},
    )  # fmt: skip
    service.submit(session, announcement, people["writer"])
    service.approve(session, announcement, people["approver"])
    session.commit()
    announcement_id = announcement.id

    # The approver sends it back; their transaction is not committed yet when the writer presses send.
    service.send_back(session, announcement, people["approver"], reason="แก้วันที่ประชุม")
    outcome: dict[str, object] = {}

    def writer_sends() -> None:
        with session_factory(database_url)() as other:
            mine = service.get(other, announcement_id)
            writer = other.merge(people["writer"], load=False)
            try:
                service.send(other, settings, mine, writer)
                other.commit()
                outcome["sent"] = True
            except WrongState as refusal:
                other.rollback()
                outcome["refused"] = str(refusal)

    writer = threading.Thread(target=writer_sends)
    writer.start()
    writer.join(timeout=1.0)
    assert writer.is_alive(), "the send should wait for the send-back in progress"
    session.commit()
    writer.join(timeout=30)

    assert "sent" not in outcome
    assert "is draft" in str(outcome["refused"])
    session.expire_all()
    assert service.get(session, announcement_id).status == AnnouncementStatus.draft
    assert session.scalar(select(func.count()).select_from(Batch)) == 0
