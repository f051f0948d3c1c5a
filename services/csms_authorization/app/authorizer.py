"""The authorization decision with its one read: look the presented token up, then `decision.decide`.

Shared by the OCPP Authorize handlers and the gRPC `AuthorizeIdToken`. Side effect: one token store read.
"""

from __future__ import annotations

from datetime import datetime

from csms_authorization.domain.decision import Decision, decide
from csms_authorization.domain.tokens import InvalidToken, check_id_token, token_key
from csms_authorization.ports import TokenStore


class Authorizer:
    def __init__(self, tokens: TokenStore) -> None:
        self._tokens = tokens

    async def decide(self, id_token: str, presented_type: str | None, station_id: str, at: datetime) -> Decision:
        try:
            check_id_token(id_token)
        except InvalidToken:  # e.g. the empty idToken of NoAuthorization: never stored
            token = None
        else:
            token = await self._tokens.get(token_key(id_token))
        return decide(token, presented_type, station_id, at)
