"""Id tokens and authorization decisions as the transactions service handles them, for every OCPP version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp

# 2.x IdTokenType of a transaction started without authorization (the station authorised nobody).
NO_AUTHORIZATION = "NoAuthorization"
ACCEPTED = "Accepted"
CONCURRENT_TX = "ConcurrentTx"


@dataclass(frozen=True)
class Token:
    id_token: str
    # 2.x IdTokenType; "" for a 1.6 idTag.
    type: str = ""

    @property
    def key(self) -> str:
        """Tokens are case-insensitive (1.6 CiString, 2.x "case insensitive"): one key per token."""
        return self.id_token.upper()

    def proto(self) -> transactions_pb2.IdToken:
        return transactions_pb2.IdToken(id_token=self.id_token, type=self.type)

    @classmethod
    def from_proto(cls, message: transactions_pb2.IdToken) -> Token | None:
        return cls(message.id_token, message.type) if message.id_token or message.type else None


@dataclass(frozen=True)
class Decision:
    """An authorization decision in the terms of the station's OCPP version (1.6 idTagInfo, 2.x idTokenInfo)."""

    status: str
    expiry: datetime | None = None
    group: Token | None = None

    def proto(self) -> transactions_pb2.AuthorizationDecision:
        decision = transactions_pb2.AuthorizationDecision(status=self.status)
        if self.expiry is not None:
            decision.expiry.CopyFrom(timestamp(self.expiry))
        if self.group is not None:
            decision.group_id_token = self.group.id_token
        return decision
