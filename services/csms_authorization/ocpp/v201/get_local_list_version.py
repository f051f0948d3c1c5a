"""OCPP 2.0.1 GetLocalListVersion (CSMS → station): the version of the station's local list. No I/O."""

from __future__ import annotations

from ocpp.v201 import call, call_result


def request() -> call.GetLocalListVersion:
    return call.GetLocalListVersion()


def outcome(result: call_result.GetLocalListVersion) -> int:
    """The versionNumber (0: empty list)."""
    return int(result.version_number)
