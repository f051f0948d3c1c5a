"""The authorization decision, pure: may this token charge at this station now?

One function used everywhere a token is presented: the OCPP Authorize handlers of every version, the gRPC
`AuthorizeIdToken` (transactions started with a token) and the entries of local authorization lists. The
outcome is version-neutral; `AuthorizationStatus.ocpp(version)` spells it for a protocol version. No I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from csms_authorization.domain.tokens import TokenRecord, TokenStatus, TokenType
from csms_kernel.ocpp.versions import OcppVersion


class AuthorizationStatus(enum.Enum):
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    UNKNOWN = "Unknown"
    NOT_AT_THIS_LOCATION = "NotAtThisLocation"
    CONCURRENT_TX = "ConcurrentTx"

    def ocpp(self, version: OcppVersion) -> str:
        """The AuthorizationStatus value of `version`: 1.6 knows neither Unknown nor NotAtThisLocation."""
        if version is OcppVersion.V16 and self in (
            AuthorizationStatus.UNKNOWN,
            AuthorizationStatus.NOT_AT_THIS_LOCATION,
        ):
            return AuthorizationStatus.INVALID.value
        return self.value


_STATUS_OF_TOKEN = {
    TokenStatus.BLOCKED: AuthorizationStatus.BLOCKED,
    TokenStatus.EXPIRED: AuthorizationStatus.EXPIRED,
    TokenStatus.INVALID: AuthorizationStatus.INVALID,
}


@dataclass(frozen=True)
class Decision:
    status: AuthorizationStatus
    # 1.6 expiryDate / 2.x cacheExpiryDateTime
    expiry: datetime | None = None
    # 1.6 parentIdTag / 2.x groupIdToken (type `tokens.GROUP_TOKEN_TYPE`)
    group_id_token: str | None = None
    # the stored token's type (None when unknown)
    token_type: TokenType | None = None


def decide(token: TokenRecord | None, presented_type: str | None, station_id: str, at: datetime) -> Decision:
    """`token` is the stored token with the presented id (None: unknown); `presented_type` the 2.x IdToken type
    as presented (None for a 1.6 idTag, which matches a token of any type)."""
    if presented_type == TokenType.NO_AUTHORIZATION.value:
        return Decision(AuthorizationStatus.ACCEPTED, token_type=TokenType.NO_AUTHORIZATION)
    if token is None or (presented_type is not None and presented_type != token.type.value):
        return Decision(AuthorizationStatus.UNKNOWN)
    known = Decision(AuthorizationStatus.ACCEPTED, token.expires_at, token.group_id_token, token.type)
    if token.status in _STATUS_OF_TOKEN:
        return replace(known, status=_STATUS_OF_TOKEN[token.status])
    if token.expires_at is not None and token.expires_at <= at:
        return replace(known, status=AuthorizationStatus.EXPIRED)
    if token.station_ids and station_id not in token.station_ids:
        return replace(known, status=AuthorizationStatus.NOT_AT_THIS_LOCATION)
    return known


def concurrent_tx(decision: Decision, has_active_session: bool) -> Decision:
    """1.6: an accepted token that already has an active transaction is answered ConcurrentTx."""
    if decision.status is AuthorizationStatus.ACCEPTED and has_active_session:
        return replace(decision, status=AuthorizationStatus.CONCURRENT_TX)
    return decision
