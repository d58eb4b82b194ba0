"""What machine a benchmark ran on, printed beside its figures, and how much of its CPU the processes took."""

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


def machine_busy_seconds() -> float:
    """CPU time all cores of the machine have spent not idle so far."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def command_cpu_seconds(command: str) -> float:
    """User plus system CPU time so far of every running process named `command` (e.g. "postgres")."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == command:
                total += cpu_seconds(int(entry.name))
        except OSError:  # the process ended meanwhile
            continue
    return total
