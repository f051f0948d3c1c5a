"""The OCPP requestId of an operator command that starts a station-side request answered by later station CALLs
(GetBaseReport → NotifyReport, GetMonitoringReport → NotifyMonitoringReport, CustomerInformation →
NotifyCustomerInformation, GetDisplayMessages → NotifyDisplayMessages, ...): derived from the command id, so the
record's params carry it and the station's reports map back to the command. Pure."""

from __future__ import annotations

import hashlib
from typing import Any

PARAM = "request_id"


def request_id(command_id: str) -> int:
    """A positive 31-bit integer (OCPP's requestId is an integer) stable for the command id."""
    digest = hashlib.sha256(command_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1


def with_request_id(params: Any, command_id: str) -> Any:
    """`params` with the command's request id when it is an object without one (a given one is kept, and checked by
    the command's parse); anything else unchanged, for the parse to refuse."""
    if isinstance(params, dict) and PARAM not in params:
        return {**params, PARAM: request_id(command_id)}
    return params
