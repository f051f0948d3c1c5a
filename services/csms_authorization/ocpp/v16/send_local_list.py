"""OCPP 1.6 SendLocalList (CSMS → station): one message of a local list update (Full or Differential) and the
station's UpdateStatus. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result


def request(version_number: int, update_type: str, entries: list[dict[str, Any]]) -> call.SendLocalList:
    """`entries`: AuthorizationData (snake_case, as the `ocpp` package holds nested objects); none: no list."""
    return call.SendLocalList(
        list_version=version_number, update_type=update_type, local_authorization_list=entries or None
    )


def status(result: call_result.SendLocalList) -> str:
    """Accepted, Failed, NotSupported or VersionMismatch."""
    return str(result.status)
