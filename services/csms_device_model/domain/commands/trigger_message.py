"""`trigger-message`: ask the station to send a message now. Params: `message` (a neutral name: the OCPP
message in snake_case, e.g. `status_notification`), optional `evse_id`, `connector_id`, and `custom_trigger`
(2.1, with `message` = `custom_trigger`). Which messages each version can trigger: ocpp/<version>/trigger_message.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params, check_evse

MESSAGES: tuple[str, ...] = (
    "boot_notification",
    "heartbeat",
    "status_notification",
    "meter_values",
    "firmware_status_notification",
    "diagnostics_status_notification",
    "log_status_notification",
    "transaction_event",
    "sign_charging_station_certificate",
    "sign_v2g_certificate",
    "sign_v2g20_certificate",
    "sign_combined_certificate",
    "publish_firmware_status_notification",
    "custom_trigger",
)
"""Every message some version can trigger, by its neutral name."""


@dataclass(frozen=True)
class TriggerMessage:
    message: str
    evse_id: int | None = None
    connector_id: int | None = None
    custom_trigger: str | None = None


def parse(raw: Any) -> TriggerMessage:
    params = Params(raw, ("message", "evse_id", "connector_id", "custom_trigger"))
    message = params.text("message", required=True)
    assert message is not None
    if message not in MESSAGES:
        raise InvalidParams(params.field("message"), f"unknown message {message!r} (known: {', '.join(MESSAGES)})")
    custom = params.text("custom_trigger", required=message == "custom_trigger")
    if custom is not None and message != "custom_trigger":
        raise InvalidParams(params.field("custom_trigger"), "is only for message custom_trigger")
    check_evse(params)
    return TriggerMessage(
        message, params.integer("evse_id", minimum=1), params.integer("connector_id", minimum=1), custom
    )
