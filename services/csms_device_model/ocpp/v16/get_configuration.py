"""OCPP 1.6 GetConfiguration (CSMS → station), for `get-configuration`: the keys asked (none: all), answered as
the neutral key-value model; 1.6 keys match case-insensitively (CiString). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_configuration import GetConfiguration


def request(command: GetConfiguration) -> call.GetConfiguration:
    return call.GetConfiguration(key=[key.v16() for key in command.keys] or None)


def outcome(result: call_result.GetConfiguration, command: GetConfiguration) -> dict[str, Any]:
    labels = {key.v16().lower(): key.label for key in command.keys}
    values = [
        {
            "key": labels.get(str(item["key"]).lower(), item["key"]),
            "value": item.get("value"),
            "readonly": bool(item.get("readonly")),
        }
        for item in result.configuration_key or ()
    ]
    unknown = [labels.get(str(key).lower(), key) for key in result.unknown_key or ()]
    return results.configuration(values, unknown)
