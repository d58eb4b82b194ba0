"""Identifiers in LINE's formats: user IDs, webhook event ULIDs, reply tokens, request IDs."""

from __future__ import annotations

import random
import re
import time
import uuid

USER_ID = re.compile(r"^U[0-9a-f]{32}$")
RETRY_KEY = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdMaker:
    """Makes identifiers from one random source, so a seeded simulator repeats itself."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)
        self._message_seq = 500_000_000_000_000

    def user_id(self) -> str:
        """Return a new LINE user ID (U followed by 32 lowercase hex digits)."""
        return f"U{self.random.getrandbits(128):032x}"

    def ulid(self, at_ms: int | None = None) -> str:
        """Return a ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32."""
        ms = int(time.time() * 1000) if at_ms is None else at_ms
        value = (ms << 80) | self.random.getrandbits(80)
        chars = []
        for _ in range(26):
            chars.append(CROCKFORD[value & 31])
            value >>= 5
        return "".join(reversed(chars))

    def reply_token(self) -> str:
        """Return a reply token (32 hex digits, as LINE issues them)."""
        return f"{self.random.getrandbits(128):032x}"

    def message_id(self) -> str:
        """Return a numeric message ID as a string."""
        self._message_seq += self.random.randint(1, 999)
        return str(self._message_seq)

    def quote_token(self) -> str:
        """Return an opaque quote token."""
        return f"q{self.random.getrandbits(160):040x}"

    def rich_menu_id(self) -> str:
        """Return a rich menu ID."""
        return f"richmenu-{self.random.getrandbits(128):032x}"


def request_id() -> str:
    """Return an x-line-request-id value; not from the seeded source, it only needs to be unique."""
    return str(uuid.uuid4())
