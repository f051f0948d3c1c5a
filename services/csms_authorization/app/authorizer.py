"""The authorization decision: look the presented token up, `decision.decide`, then honour the station's
reservations (`reservations.honour`, docs/adr/0043) for an accepted token.

Shared by the OCPP Authorize handlers and the gRPC `AuthorizeIdToken`. Side effects: one token store read, and one
reservation store read for an accepted token.
"""

from __future__ import annotations

from datetime import datetime

from csms_authorization.domain.decision import AuthorizationStatus, Decision, decide
from csms_authorization.domain.reservations import honour
from csms_authorization.domain.tokens import InvalidToken, check_id_token, token_key
from csms_authorization.ports import ReservationStore, TokenStore


class Authorizer:
    def __init__(self, tokens: TokenStore, reservations: ReservationStore) -> None:
        self._tokens = tokens
        self._reservations = reservations

    async def decide(
        self, id_token: str, presented_type: str | None, station_id: str, at: datetime, evse_id: int | None = None
    ) -> Decision:
        """`evse_id`: where the token starts (1.6 connector N is EVSE N); None when not known (Authorize)."""
        try:
            check_id_token(id_token)
        except InvalidToken:  # e.g. the empty idToken of NoAuthorization: never stored
            token = None
        else:
            token = await self._tokens.get(token_key(id_token))
        decision = decide(token, presented_type, station_id, at)
        if decision.status is not AuthorizationStatus.ACCEPTED:
            return decision
        return honour(decision, id_token, await self._reservations.of_station(station_id), evse_id, at)
