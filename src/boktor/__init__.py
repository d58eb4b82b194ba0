"""Boktor (บอกต่อ): an organisation's communication network on a LINE Official Account."""

import os
from pathlib import Path

# pythainlp must never reach the network at run time and needs a writable data folder.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_DATA", str(Path.home() / ".cache" / "boktor" / "pythainlp"))

__version__ = "0.1.0"
