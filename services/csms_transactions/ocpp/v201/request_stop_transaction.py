"""OCPP 2.0.1 RequestStopTransaction (CSMS → station): stop a transaction by its id. No I/O."""

from __future__ import annotations

from ocpp.v201 import call, call_result


def request(transaction_id: str) -> call.RequestStopTransaction:
    return call.RequestStopTransaction(transaction_id=transaction_id)


def status(result: call_result.RequestStopTransaction) -> str:
    """Accepted or Rejected."""
    return str(result.status)
