"""OCPP 2.0.1 ClearCache (CSMS → station), for `clear-cache`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.clear_cache import ClearCache


def request(command: ClearCache) -> call.ClearCache:
    return call.ClearCache()


def outcome(result: call_result.ClearCache) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
