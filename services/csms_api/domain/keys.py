"""API keys and scopes, pure: the key format, its digest, the constant-time check and the scope order.

A key is `csms_<id>_<secret>`: a 16-hex-digit id (the stored row's key, shown in listings) and 32 random bytes
in URL-safe base64. The store keeps only the SHA-256 of the whole key: the secret has 256 bits of entropy, so a
plain hash cannot be reversed by guessing and needs no salt or slow KDF. No I/O (`new_key` reads the OS's
random source).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

PREFIX = "csms"
_KEY = re.compile(r"^csms_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
NAME_MAX_LENGTH = 64


class Scope(enum.Enum):
    """What a key may do; each scope includes the ones before it: read < operate < admin."""

    READ = "read"
    OPERATE = "operate"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Scope).index(self)

    def allows(self, needed: Scope) -> bool:
        return self.rank >= needed.rank


class InvalidKey(ValueError):
    """A key field breaks the rules; the message says which."""


@dataclass(frozen=True)
class ApiKey:
    """A stored key: never the key itself, only its digest."""

    key_id: str
    name: str
    scope: Scope
    digest: bytes
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def matches(self, key: str) -> bool:
        """Whether `key` is this key (constant time in the digest)."""
        return hmac.compare_digest(self.digest, digest(key))


def new_key() -> tuple[str, str]:
    """A fresh (key id, key)."""
    key_id = secrets.token_hex(8)
    return key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(key: str) -> str | None:
    """The id inside a well-formed key; None for anything else."""
    found = _KEY.match(key)
    return found.group(1) if found else None


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def check_key_id(key_id: str) -> None:
    if not _KEY_ID.match(key_id):
        raise InvalidKey("key id must be 16 lower-case hex digits")


def check_name(name: str) -> None:
    """1..64 printable characters, not only spaces."""
    if not 1 <= len(name) <= NAME_MAX_LENGTH or not name.isprintable() or not name.strip():
        raise InvalidKey(f"name must be 1..{NAME_MAX_LENGTH} printable characters")
