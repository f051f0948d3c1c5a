"""OCPP 2.1 GetVariables (CSMS → station), asked before a local list update that may need splitting: the
LocalAuthListCtrlr's ItemsPerMessage and BytesPerMessage, as in 2.0.1 (`v201/get_variables.py`). No I/O."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_authorization.domain.local_lists import MessageLimits
from csms_authorization.ocpp.v201 import get_variables as v201


def request() -> call.GetVariables:
    return call.GetVariables(get_variable_data=v201.variables())


def outcome(result: call_result.GetVariables) -> MessageLimits:
    return v201.limits(result.get_variable_result)
