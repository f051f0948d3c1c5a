"""OCPP 1.6 GetLocalListVersion (CSMS → station): the version of the station's local list. No I/O."""

from __future__ import annotations

from ocpp.v16 import call, call_result


def request() -> call.GetLocalListVersion:
    return call.GetLocalListVersion()


def outcome(result: call_result.GetLocalListVersion) -> int:
    """The listVersion (0: empty list, -1: no list support)."""
    return int(result.list_version)
