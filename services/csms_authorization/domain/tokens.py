"""Id tokens, pure: their types and statuses, the stored record, input rules and the matching key.

Tokens are matched case-insensitively (1.6 idTag is a CiString, 2.x "IdToken is case insensitive"): the key
of a token is its id in upper case; the id is kept as first given. No I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from csms_kernel.ocpp.versions import OcppVersion

ID_TOKEN_MAX_LENGTH = 255  # OCPP 2.1
_MAX_LENGTHS = {OcppVersion.V16: 20, OcppVersion.V201: 36, OcppVersion.V21: ID_TOKEN_MAX_LENGTH}


class TokenType(enum.Enum):
    """OCPP 2.x IdTokenEnumType; the values are the protocol's spelling."""

    CENTRAL = "Central"
    EMAID = "eMAID"
    ISO14443 = "ISO14443"
    ISO15693 = "ISO15693"
    KEY_CODE = "KeyCode"
    LOCAL = "Local"
    MAC_ADDRESS = "MacAddress"
    NO_AUTHORIZATION = "NoAuthorization"


class TokenStatus(enum.Enum):
    """The status an operator gives a token (the protocol's spelling)."""

    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"


# The type of the group token in 2.x answers: a group is an id the CSMS assigns.
GROUP_TOKEN_TYPE = TokenType.CENTRAL


class InvalidToken(ValueError):
    """A token field breaks the rules; the message says which and why."""


@dataclass(frozen=True)
class TokenDraft:
    """A token as an operator gives it."""

    id_token: str
    type: TokenType
    status: TokenStatus
    expires_at: datetime | None
    group_id_token: str | None
    # stations where the token is valid; empty: every station
    station_ids: frozenset[str]
    # part of the local authorization list sent to stations
    local_list: bool

    @property
    def key(self) -> str:
        return token_key(self.id_token)


@dataclass(frozen=True)
class TokenRecord(TokenDraft):
    """A token as stored."""

    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, draft: TokenDraft, created_at: datetime, updated_at: datetime) -> TokenRecord:
        return cls(
            draft.id_token,
            draft.type,
            draft.status,
            draft.expires_at,
            draft.group_id_token,
            draft.station_ids,
            draft.local_list,
            created_at,
            updated_at,
        )


def token_key(id_token: str) -> str:
    return id_token.upper()


def check_id_token(id_token: str, what: str = "id_token") -> None:
    """1..255 printable ASCII characters without spaces (OCPP 2.1 idToken length; identifiers, not text)."""
    if not 1 <= len(id_token) <= ID_TOKEN_MAX_LENGTH:
        raise InvalidToken(f"{what} must be 1..{ID_TOKEN_MAX_LENGTH} characters, got {len(id_token)}")
    if not all("!" <= c <= "~" for c in id_token):
        raise InvalidToken(f"{what} must be printable ASCII without spaces")


def check_draft(record: TokenDraft) -> None:
    check_id_token(record.id_token)
    if record.type is TokenType.NO_AUTHORIZATION:
        raise InvalidToken("NoAuthorization tokens are accepted without being registered")
    if record.group_id_token is not None:
        check_id_token(record.group_id_token, "group_id_token")
    if record.expires_at is not None and record.expires_at.tzinfo is None:
        raise InvalidToken("expires_at must carry a time zone")
    for station_id in record.station_ids:
        if not station_id:
            raise InvalidToken("station ids must not be empty")


def fits(id_token: str, version: OcppVersion) -> bool:
    """Whether `version` can carry this id (1.6 idTag: CiString20; 2.0.1 idToken: 36 characters)."""
    return len(id_token) <= _MAX_LENGTHS[version]
