"""OCPP 1.6 RemoteStartTransaction (CSMS → station): start a transaction for an idTag, on a connector or where
the station picks. No I/O."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_transactions.domain.tokens import Token


def request(token: Token, connector_id: int | None) -> call.RemoteStartTransaction:
    return call.RemoteStartTransaction(id_tag=token.id_token, connector_id=connector_id)


def status(result: call_result.RemoteStartTransaction) -> str:
    """Accepted or Rejected."""
    return str(result.status)
