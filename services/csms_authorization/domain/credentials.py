"""Station credentials, pure: input rules (identity via csms_kernel.ocpp.station_ids, password) and hashing.

Hash = HMAC-SHA256(key = server pepper, message = salt || UTF-8 password) with a random 16-byte salt per
registration; verification compares in constant time. Why not bcrypt/scrypt: docs/adr/0003. The only side
effect is reading random bytes for new salts (replaceable for tests).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from csms_kernel.ocpp import station_ids

PASSWORD_MIN_LENGTH = 16
PASSWORD_MAX_LENGTH = 64
AUTHORIZATION_KEY_BYTES = (16, 20)
SECURITY_PROFILES = (1, 2, 3)
SALT_BYTES = 16


class InvalidCredentials(ValueError):
    """A station id, password or security profile breaks the rules; the message says which and why."""


def check_station_id(station_id: str) -> None:
    """The kernel's station id rule (the edge applies the same one), raised as `InvalidCredentials`."""
    try:
        station_ids.check_station_id(station_id)
    except station_ids.InvalidStationId as exc:
        raise InvalidCredentials(str(exc)) from exc


def check_stored_station_id(station_id: str) -> None:
    """The rule ids were registered under before the identifierString rule (docs/adr/0023, finding #13):
    1..48 characters without ':'. Used for ids read back from the store (page tokens)."""
    if not 1 <= len(station_id) <= station_ids.STATION_ID_MAX_LENGTH or ":" in station_id:
        raise InvalidCredentials(f"station id must be 1..{station_ids.STATION_ID_MAX_LENGTH} characters without ':'")


def check_password(password: str) -> None:
    """16..64 printable ASCII characters: OCPP 2.1 BasicAuthPassword (2.0.1 stations take 16..40; a 1.6
    AuthorizationKey registered as its 32..40 hex digits fits too). Why ASCII: docs/adr/0023, finding #9."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidCredentials(
            f"password must be {PASSWORD_MIN_LENGTH}..{PASSWORD_MAX_LENGTH} characters (OCPP BasicAuthPassword),"
            f" got {len(password)}"
        )
    if not all(" " <= c <= "~" for c in password):
        raise InvalidCredentials("password must consist of printable ASCII characters")


def check_security_profile(profile: int) -> None:
    if profile not in SECURITY_PROFILES:
        raise InvalidCredentials(f"security_profile must be 1, 2 or 3, got {profile}")


def presented_forms(password: str) -> tuple[str, ...]:
    """The forms a presented password may have been registered in.

    OCPP 1.6 security whitepaper: the CSMS sets AuthorizationKey as 32..40 hex digits (16..20 bytes), and the
    station presents the decoded bytes as its Basic password; such keys are registered as lowercase hex
    (`csms stations add --password-hex`). The edge passes bytes that are not UTF-8 as their lowercase hex
    already; 16..20 bytes that happen to be UTF-8 arrive as text, so their hex is tried as well.
    """
    raw = password.encode("utf-8")
    if AUTHORIZATION_KEY_BYTES[0] <= len(raw) <= AUTHORIZATION_KEY_BYTES[1]:
        return password, raw.hex()
    return (password,)


@dataclass(frozen=True)
class PasswordHash:
    digest: bytes
    salt: bytes


class PasswordHasher:
    """Hashes and verifies station passwords with one server pepper."""

    def __init__(self, pepper: bytes, salt_factory: Callable[[int], bytes] = secrets.token_bytes) -> None:
        self._pepper = pepper
        self._salt_factory = salt_factory

    def hash(self, password: str) -> PasswordHash:
        salt = self._salt_factory(SALT_BYTES)
        return PasswordHash(self._digest(password, salt), salt)

    def verify(self, password: str, stored: PasswordHash) -> bool:
        """True if the password, or for a 1.6 AuthorizationKey its hex form, is the stored one."""
        return any(
            hmac.compare_digest(self._digest(form, stored.salt), stored.digest) for form in presented_forms(password)
        )

    def _digest(self, password: str, salt: bytes) -> bytes:
        return hmac.new(self._pepper, salt + password.encode("utf-8"), hashlib.sha256).digest()
