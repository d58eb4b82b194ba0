"""The weight of the sign-up survey page on a phone: the page and its own assets, gzipped (goal ≤ 60 KB).

    python -m benchmarks.survey_page_weight

Serves Boktor (demo mode, a throwaway SQLite database, the shipped form) on loopback, fetches what a
phone fetches for one member who answers (the page, its CSS and script, the demo LIFF stand-in, and the
cascading lists of one province, district and organisation) and prints each size raw and gzipped.
LINE's LIFF SDK, loaded from LINE's CDN in production, is not counted (it is cached across LIFF apps).
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from boktor.app import create_app
from boktor.config import Settings
from boktor.db import transaction
from boktor.migrations import upgrade
from boktor.org.catalogue import load_catalogue

GOAL_BYTES = 60 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def page_weight(base_url: str) -> list[tuple[str, int, int]]:
    """(what, raw bytes, gzipped bytes) of everything the survey page fetches from Boktor for one member."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        page = client.get("/liff/survey")
        page.raise_for_status()
        html = page.text
        form = json.loads(re.search(r'id="spec">(.*?)</script>', html).group(1))["form"]
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        fetched = [("page /liff/survey", page.content)]
        for path in assets:
            fetched.append((path.split("?")[0], client.get(path).raise_for_status().content))
        for field, query in (("position", "organisation=cdd"), ("district", "province=57"),
                             ("subdistrict", "district=5709")):  # fmt: skip
            url = f"/api/survey/forms/{form}/choices/{field}?{query}"
            fetched.append((f"choices {field}?{query}", client.get(url).raise_for_status().content))
    return [(what, len(body), len(gzip.compress(body, compresslevel=6))) for what, body in fetched]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'weight.db'}"
        upgrade(url)
        with transaction(url) as session:
            load_catalogue(session)
        settings = Settings(_env_file=None, BOKTOR_MODE="demo", BOKTOR_DATABASE_URL=url)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings, background=False), port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            rows = page_weight(f"http://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            thread.join(10)
    print(f"{'what':44} {'raw':>9} {'gzipped':>9}")
    for what, raw, zipped in rows:
        print(f"{what:44} {raw:>9,} {zipped:>9,}")
    total_raw, total_zipped = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total (LINE LIFF SDK not counted)':44} {total_raw:>9,} {total_zipped:>9,}")
    verdict = "within" if total_zipped <= GOAL_BYTES else "OVER"
    print(f"goal ≤ {GOAL_BYTES:,} bytes gzipped: {verdict} ({total_zipped / 1024:.1f} KB)")
    return 0 if total_zipped <= GOAL_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
