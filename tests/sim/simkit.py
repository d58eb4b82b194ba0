"""Start the LINE simulator as a real subprocess and drive it through its control API, for any feature's tests.

from tests.sim.simkit import start_sim

with start_sim(webhook_url="http://127.0.0.1:8000/line/webhook", users=3) as sim:
    user = sim.client.users()["users"][0]["userId"]
    sim.client.follow(user)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

SRC = Path(__file__).resolve().parents[2] / "src"
READY_LINE = "BOKTOR-SIM READY "
DEFAULT_SECRET = "sim-channel-secret"
DEFAULT_TOKEN = "sim-access-token"
DEFAULT_LOGIN_CHANNEL = "1234567890"


class SimClient:
    """A small synchronous client for the simulator's /_sim control API."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        response = self.http.request(
            method, path, json=body, params={k: v for k, v in params.items() if v is not None}
        )
        if response.status_code >= 400:
            raise SimError(response.status_code, response.text)
        return response.json()

    # phones
    def health(self) -> dict[str, Any]:
        """GET /_sim/health."""
        return self._call("GET", "/_sim/health")

    def users(
        self, limit: int | None = None, offset: int | None = None, state: str | None = None
    ) -> dict[str, Any]:
        """List virtual phones: {"users": [...], "total": n}."""
        return self._call("GET", "/_sim/users", limit=limit, offset=offset, state=state)

    def user_ids(self, state: str | None = None) -> list[str]:
        """Return every phone's user ID (optionally only those in `state`)."""
        return [u["userId"] for u in self.users(limit=10**9, state=state)["users"]]

    def create_users(
        self, count: int | None = None, users: list[dict[str, Any]] | None = None, state: str | None = None
    ) -> list[dict[str, Any]]:
        """Create phones, generated (`count`) or given (`users`); returns them."""
        body: dict[str, Any] = {"users": users} if users is not None else {"count": count or 1}
        if state:
            body["state"] = state
        return self._call("POST", "/_sim/users", body)["users"]

    def follow(self, user_id: str) -> dict[str, Any]:
        """Make the phone add the account; returns {"event", "webhook_status"}."""
        return self._call("POST", f"/_sim/users/{user_id}/follow")

    def unfollow(self, user_id: str) -> dict[str, Any]:
        """Make the phone block the account."""
        return self._call("POST", f"/_sim/users/{user_id}/unfollow")

    def send_text(self, user_id: str, text: str) -> dict[str, Any]:
        """Make the phone send a text message."""
        return self._call("POST", f"/_sim/users/{user_id}/message", {"text": text})

    def postback(self, user_id: str, data: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Make the phone send a postback with this data."""
        body: dict[str, Any] = {"data": data}
        if params:
            body["params"] = params
        return self._call("POST", f"/_sim/users/{user_id}/postback", body)

    def tap(self, user_id: str, label: str, message_id: str | None = None) -> dict[str, Any]:
        """Tap a button or quick reply by its label (newest inbox item that has it, unless message_id)."""
        body: dict[str, Any] = {"label": label}
        if message_id:
            body["message_id"] = message_id
        return self._call("POST", f"/_sim/users/{user_id}/tap", body)

    def inbox(self, user_id: str) -> list[dict[str, Any]]:
        """Return the phone's inbox items, oldest first."""
        return self._call("GET", f"/_sim/users/{user_id}/inbox")["items"]

    def id_token(
        self,
        user_id: str,
        client_id: str | None = None,
        expires_in: int | None = None,
        nonce: str | None = None,
    ) -> str:
        """Return a LIFF ID token for this phone's user."""
        body = {
            k: v
            for k, v in {"client_id": client_id, "expires_in": expires_in, "nonce": nonce}.items()
            if v is not None
        }
        return self._call("POST", f"/_sim/users/{user_id}/id-token", body)["id_token"]

    # observation and control
    def stats(self) -> dict[str, Any]:
        """GET /_sim/stats."""
        return self._call("GET", "/_sim/stats")

    def deliveries(self, user_id: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Raw delivery records, oldest first."""
        return self._call("GET", "/_sim/deliveries", userId=user_id, limit=limit)["deliveries"]

    def webhooks(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Every webhook attempt, oldest first."""
        return self._call("GET", "/_sim/webhooks", limit=limit)["webhooks"]

    def set_faults(self, **faults: float) -> dict[str, Any]:
        """Change latency_ms, jitter_ms, error_rate, drop_rate, lost_rate."""
        return self._call("POST", "/_sim/faults", faults)

    def set_quota(self, limit: int | None, used: int | None = None) -> dict[str, Any]:
        """Set the monthly quota (None: unlimited) and optionally how much is used."""
        body: dict[str, Any] = {"limit": limit}
        if used is not None:
            body["used"] = used
        return self._call("POST", "/_sim/quota", body)

    def set_limits(self, **rates: float | None) -> dict[str, Any]:
        """Set rate limits in requests per second per endpoint (None lifts one)."""
        return self._call("POST", "/_sim/limits", rates)

    def redeliver(self, webhook_event_id: str) -> dict[str, Any]:
        """Send a past event again with deliveryContext.isRedelivery true."""
        return self._call("POST", f"/_sim/events/{webhook_event_id}/redeliver")

    def reply_tokens(self, user_ids: list[str]) -> list[str]:
        """Reply tokens as LINE would issue with events from these users (for self-made webhook events)."""
        return self._call("POST", "/_sim/reply-tokens", {"userIds": user_ids})["replyTokens"]

    def reset(self, settings: bool = False) -> dict[str, Any]:
        """Clear deliveries, counters, retry keys and inboxes; with settings, also restore start-up faults/limits."""
        return self._call("POST", "/_sim/reset", {"settings": settings})


class SimError(Exception):
    """The control API refused a request."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"{status}: {text}")
        self.status = status
        self.text = text


class RunningSim:
    """A simulator subprocess: its URL, credentials and a control client."""

    def __init__(
        self, process: subprocess.Popen[bytes], url: str, options: dict[str, Any], log_path: Path
    ) -> None:
        self.process = process
        self.url = url
        self.options = options
        self.log_path = log_path
        self.channel_secret: str = options.get("channel_secret", DEFAULT_SECRET)
        self.access_token: str = options.get("access_token", DEFAULT_TOKEN)
        self.login_channel_id: str = options.get("login_channel_id", DEFAULT_LOGIN_CHANNEL)
        self.client = SimClient(url)

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header a Messaging API client must send."""
        return {"Authorization": f"Bearer {self.access_token}"}

    def boktor_environment(self, database_url: str, **extra: str) -> dict[str, str]:
        """This process's environment for a `boktor` subprocess on `database_url` that talks to this simulator."""
        env = dict(os.environ)
        env.update(
            BOKTOR_MODE="demo",
            BOKTOR_DATABASE_URL=database_url,
            LINE_API_BASE_URL=self.url,
            LINE_CHANNEL_ACCESS_TOKEN=self.access_token,
            PYTHONPATH=os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p),
            **extra,
        )
        return env

    def log(self) -> str:
        """The simulator's stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the subprocess (SIGTERM, then SIGKILL after 5 s)."""
        self.client.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def __enter__(self) -> RunningSim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sim_command(**options: Any) -> list[str]:
    """Build the `python -m boktor.sim` command line for these options (python names, e.g. no_limits=True)."""
    options = {"host": "127.0.0.1", "port": 0, **options}
    command = [sys.executable, "-m", "boktor.sim"]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            command.append(flag)
        elif isinstance(value, (list, tuple)):
            command += [flag, ",".join(str(v) for v in value)]
        else:
            command += [flag, str(value)]
    return command


def start_sim(timeout: float = 20.0, **options: Any) -> RunningSim:
    """Start the simulator on a free loopback port and wait until it is ready; options are `boktor sim`'s."""
    handle, name = tempfile.mkstemp(prefix="boktor-sim-", suffix=".log")
    os.close(handle)
    log_path = Path(name)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(sim_command(**options), stdout=log_file, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        for line in text.splitlines():
            if line.startswith(READY_LINE):
                return RunningSim(process, line[len(READY_LINE) :].strip(), options, log_path)
        if process.poll() is not None:
            raise RuntimeError(f"simulator exited with {process.returncode}:\n{text}")
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"simulator not ready after {timeout} s:\n{log_path.read_text(errors='replace')}")


class WebhookCatcher:
    """A tiny HTTP server that records webhook POSTs and answers each with a chosen status."""

    def __init__(self, status: int | Callable[[int], int] = 200, delay: float = 0.0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = status
        self.delay = delay
        self._lock = threading.Condition()
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with catcher._lock:
                    index = len(catcher.requests)
                    catcher.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    catcher._lock.notify_all()
                if catcher.delay:
                    time.sleep(catcher.delay)
                status = catcher.status(index) if callable(catcher.status) else catcher.status
                body = b"" if status in (204, 304) else b"{}"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/line/webhook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least `count` webhooks have arrived; return all received."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.requests) >= count, timeout)
            return list(self.requests)

    def __enter__(self) -> WebhookCatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
