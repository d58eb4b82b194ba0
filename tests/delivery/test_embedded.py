"""Inside `boktor serve` (the SQLite default) the embedded worker sends, with no separate process."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from boktor.announcements.models import AnnouncementStatus
from boktor.db import transaction
from boktor.delivery.models import DeliveryWorker
from tests.apprunner import running_app
from tests.delivery.helpers import add_members, announcement, send_to_followers, settings_for


def test_the_web_process_sends_an_announcement_by_itself(database_url, sim, phones):
    with transaction(database_url) as session:
        add_members(session, phones[:600])
    settings = settings_for(database_url, sim, BOKTOR_EMBEDDED_WORKER=True)

    with running_app(settings):
        announcement_id = send_to_followers(database_url)
        deadline = time.monotonic() + 20
        while announcement(database_url, announcement_id).status != AnnouncementStatus.completed:
            assert time.monotonic() < deadline, "the embedded worker did not send"
            time.sleep(0.1)

    assert sim.client.stats()["recipients"] == 600
    assert sim.client.stats()["duplicates"] == 0
    with transaction(database_url) as session:  # it stopped with the app and said so
        assert session.scalar(select(func.count()).select_from(DeliveryWorker)) == 0
