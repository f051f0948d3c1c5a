"""OCPP 1.6 DataTransfer (CSMS → station), for `data-transfer`: 1.6 data is text, so a value that is not a string
is sent as its JSON text. No I/O."""

from __future__ import annotations

import json
from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.data_transfer import DataTransfer


def request(command: DataTransfer) -> call.DataTransfer:
    data = command.data
    if data is not None and not isinstance(data, str):
        data = json.dumps(data, separators=(",", ":"))
    return call.DataTransfer(vendor_id=command.vendor_id, message_id=command.message_id, data=data)


def outcome(result: call_result.DataTransfer) -> dict[str, Any]:
    return {**results.status(result.status), "data": result.data}
