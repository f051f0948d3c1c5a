"""OCPP 1.6 ChangeConfiguration (CSMS → station), one per key of `set-configuration`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.set_configuration import Setting


def request(setting: Setting) -> call.ChangeConfiguration:
    return call.ChangeConfiguration(key=setting.key.v16(), value=setting.value)


def outcome(result: call_result.ChangeConfiguration) -> dict[str, Any]:
    return results.status(result.status)
