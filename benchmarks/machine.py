"""What machine a benchmark ran on, printed beside its figures."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU model from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """Cores, CPU model and Python version, e.g. "2 cores, Intel(R) Xeon(R) Processor, Python 3.11.7"."""
    return f"{os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}"
