"""The README's first command: `boktor demo` starts Boktor with the simulator and demo data, and says where."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.apprunner import free_port


def test_the_demo_starts_boktor_and_the_simulator_with_demo_data(tmp_path: Path):
    port, sim_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOKTOR_", "LINE_", "LIFF_"))}
    demo = subprocess.Popen(
        [sys.executable, "-m", "boktor.cli", "demo", "--port", str(port), "--sim-port", str(sim_port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            assert demo.poll() is None, demo.stdout.read()
        health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
        phones = httpx.get(f"http://127.0.0.1:{sim_port}/_sim/users?limit=100").json()
        friends = [p for p in phones["users"] if p["state"] == "friend"]
        page = httpx.get(f"http://127.0.0.1:{sim_port}/")
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=30)

    assert health["mode"] == "demo"
    assert phones["total"] == 30 and len(friends) == 24
    assert page.status_code == 200 and "โทรศัพท์" in page.text
    assert f"http://127.0.0.1:{sim_port}/" in output and "Try it:" in output
    assert (tmp_path / "boktor-demo.db").exists()
    assert "Traceback" not in output
