"""OCPP 1.6 RemoteStopTransaction (CSMS → station): stop a transaction by its (integer) id. No I/O."""

from __future__ import annotations

from ocpp.v16 import call, call_result


def request(transaction_id: int) -> call.RemoteStopTransaction:
    return call.RemoteStopTransaction(transaction_id=transaction_id)


def status(result: call_result.RemoteStopTransaction) -> str:
    """Accepted or Rejected."""
    return str(result.status)
