"""`python -m boktor.delivery`: the same worker as `boktor worker`, without loading the rest of the command line.

A lighter process for operators who run many workers (about 40 MB less resident memory).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.exc import OperationalError

from boktor.config import MissingSetting, get_settings
from boktor.delivery.worker import run_worker


def _progress(line: str) -> None:
    print(f"worker {line}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the delivery worker; the exit status is 0 when it stopped cleanly."""
    parser = argparse.ArgumentParser(prog="python -m boktor.delivery", description=__doc__)
    parser.add_argument("--until-idle", action="store_true", help="Exit when nothing is left to send.")
    parser.add_argument("--id", dest="worker_id", help="A name for this worker (default: host-pid-random).")
    parser.add_argument("--quiet", "-q", action="store_true", help="No progress lines on stderr.")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        settings.require_line_channel()
        asyncio.run(
            run_worker(
                settings,
                until_idle=args.until_idle,
                worker_id=args.worker_id,
                progress=None if args.quiet else _progress,
                handle_signals=True,
            )
        )
    except MissingSetting as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except OperationalError as error:
        print(
            f"Error: Cannot use the database ({error.orig}). Check BOKTOR_DATABASE_URL and run `boktor db upgrade`.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
