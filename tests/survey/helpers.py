"""What the survey tests share: the default form's good answers, the page's form key, waiting for a push."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx

from tests.sim.simkit import SimClient

# A district community development officer in แม่สาย, เชียงราย, answering every question well.
GOOD_ANSWERS: dict[str, Any] = {
    "full_name": "นางสาวมาลี ศรีสุข",
    "personnel_type": "civil_servant",
    "organisation": "cdd",
    "position": "district_cd_officer",
    "province": "57",
    "district": "5709",
    "subdistrict": "570901",
    "village_no": "3",
    "phone": "081-234-5678",
    "topics": ["policy", "urgent"],
    "frequency": "daily",
    "comments": "",
    "consent": "OK",
}


def form_key(app_url: str) -> int:
    """The form the survey page is built from (the page embeds it for its script)."""
    page = httpx.get(f"{app_url}/liff/survey", timeout=30)
    page.raise_for_status()
    return json.loads(
        re.search(r'<script type="application/json" id="spec">(.*?)</script>', page.text).group(1)
    )["form"]


def submit(
    app_url: str, token: str | None, form: int, answers: dict[str, Any], **extra: Any
) -> httpx.Response:
    body = {"id_token": token, "form": form, "answers": answers, **extra}
    return httpx.post(f"{app_url}/api/survey/responses", json=body, timeout=30)


def wait_for_inbox(
    client: SimClient, user_id: str, count: int = 1, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """The phone's inbox once it holds `count` items (the thank-you is pushed after the answer is kept)."""
    deadline = time.monotonic() + timeout
    while True:
        items = client.inbox(user_id)
        if len(items) >= count or time.monotonic() > deadline:
            return items
        time.sleep(0.05)
