"""OCPP 2.0.1 GetVariables (CSMS → station), asked before a local list update that may need splitting: the
LocalAuthListCtrlr's ItemsPerMessage and BytesPerMessage. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ocpp.v201 import call, call_result

from csms_authorization.domain.local_lists import MessageLimits, positive_limit

COMPONENT = "LocalAuthListCtrlr"
ITEMS_PER_MESSAGE = "ItemsPerMessage"
BYTES_PER_MESSAGE = "BytesPerMessage"


def request() -> call.GetVariables:
    return call.GetVariables(get_variable_data=variables())


def outcome(result: call_result.GetVariables) -> MessageLimits:
    return limits(result.get_variable_result)


def variables() -> list[dict[str, Any]]:
    """The GetVariableData of the request (the same in 2.0.1 and 2.1)."""
    return [
        {"component": {"name": COMPONENT}, "variable": {"name": name}}
        for name in (ITEMS_PER_MESSAGE, BYTES_PER_MESSAGE)
    ]


def limits(results: Sequence[dict[str, Any]] | None) -> MessageLimits:
    """The limits the station reported (2.0.1 and 2.1 GetVariableResults); a variable rejected, missing or not a
    positive integer: no limit."""
    values = {
        r.get("variable", {}).get("name"): r.get("attribute_value")
        for r in results or ()
        if r.get("attribute_status") == "Accepted" and r.get("component", {}).get("name") == COMPONENT
    }
    return MessageLimits(
        items_per_message=positive_limit(values.get(ITEMS_PER_MESSAGE)),
        bytes_per_message=positive_limit(values.get(BYTES_PER_MESSAGE)),
    )
