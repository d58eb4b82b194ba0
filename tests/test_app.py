"""The web application starts and reports its health over real HTTP."""

import httpx

from tests.apprunner import demo_settings, running_app


def test_health_over_http(database_url):
    with running_app(demo_settings(database_url)) as url:
        answer = httpx.get(f"{url}/healthz")
    assert answer.status_code == 200
    assert answer.json()["ok"] is True
    assert answer.json()["mode"] == "demo"
