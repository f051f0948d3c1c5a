"""OCPP 2.1 RequestStartTransaction (CSMS → station): start a transaction for an IdToken, on an EVSE or where
the station picks, under a remoteStartId the station reports back in its TransactionEvents. No I/O."""

from __future__ import annotations

from ocpp.v21 import call, call_result, datatypes

from csms_transactions.domain.tokens import Token
from csms_transactions.ocpp.remote import DEFAULT_REMOTE_TOKEN_TYPE


def request(token: Token, evse_id: int | None, remote_start_id: int) -> call.RequestStartTransaction:
    return call.RequestStartTransaction(
        id_token=datatypes.IdTokenType(id_token=token.id_token, type=token.type or DEFAULT_REMOTE_TOKEN_TYPE),
        remote_start_id=remote_start_id,
        evse_id=evse_id,
    )


def status(result: call_result.RequestStartTransaction) -> str:
    """Accepted or Rejected."""
    return str(result.status)
