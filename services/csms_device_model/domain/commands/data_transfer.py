"""`data-transfer`: a vendor-specific message. Params: `vendor_id` (required), optional `message_id`, optional
`data` (any JSON; OCPP 1.6 carries text, so a value that is not a string goes as its JSON text there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class DataTransfer:
    vendor_id: str
    message_id: str | None = None
    data: Any = None


def parse(raw: Any) -> DataTransfer:
    params = Params(raw, ("vendor_id", "message_id", "data"))
    vendor_id = params.text("vendor_id", required=True)
    assert vendor_id is not None
    return DataTransfer(vendor_id, params.text("message_id"), params.value("data"))
