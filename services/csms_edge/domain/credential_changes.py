"""A change of who may connect as a station, as an edge node sees it (the authorization service's
`StationCredentialsChanged` events, docs/adr/0021), and which changes end a live connection. Pure.

Any change makes the node forget its cached verdicts of the station. A station that was disabled or deleted,
or whose password or security profile was changed by the operator, loses its connection: it was accepted with
credentials that no longer hold. A pending password or profile set or cancelled, or taken into use by the
station connecting with it (rotation, upgrade: docs/adr/0024), leaves the connection open. The close code is
1008 (policy violation) with the changes as the reason; the station's next handshake is refused (403 disabled,
401 deleted or old password) or accepted with its new credentials.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

REVOKED_CODE = 1008


class CredentialChange(enum.Enum):
    REGISTERED = "registered"
    DISABLED = "disabled"
    ENABLED = "enabled"
    DELETED = "deleted"
    PASSWORD_CHANGED = "password changed"
    SECURITY_PROFILE_CHANGED = "security profile changed"
    # Rotation and upgrade (docs/adr/0024): the live connection was accepted with credentials that still hold.
    PENDING_CREDENTIALS_CHANGED = "pending credentials changed"
    PASSWORD_ROTATED = "password rotated"
    SECURITY_PROFILE_UPGRADED = "security profile upgraded"


_REVOKING = (
    CredentialChange.DISABLED,
    CredentialChange.DELETED,
    CredentialChange.PASSWORD_CHANGED,
    CredentialChange.SECURITY_PROFILE_CHANGED,
)


@dataclass(frozen=True, slots=True)
class CredentialsChanged:
    station_id: str
    changes: frozenset[CredentialChange]


def close_reason(event: CredentialsChanged) -> str | None:
    """Why the station's live connection must close (the WebSocket close reason), or None when it may stay."""
    revoking = [change.value for change in _REVOKING if change in event.changes]
    return "credentials revoked: " + ", ".join(revoking) if revoking else None
