"""Display messages between the neutral commands (`domain.commands.display_messages`) and OCPP 2.x MessageInfoType,
shared by the 2.0.1 and 2.1 action modules: the message a SetDisplayMessage carries (refusing what the version
lacks), and a reported MessageInfo as the contract's DisplayMessage. No I/O."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.commands.display_messages import (
    MessageFormat,
    MessageState,
    Priority,
    SetDisplayMessage,
)
from csms_device_model.domain.commands.params import NotExpressible, snake
from csms_device_model.domain.commands.results import text
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import ocpp_datetime, parse_ocpp_datetime

PRIORITIES: dict[Priority, str] = {
    Priority.ALWAYS_FRONT: "AlwaysFront",
    Priority.IN_FRONT: "InFront",
    Priority.NORMAL_CYCLE: "NormalCycle",
}
STATES: dict[MessageState, str] = {state: state.value.capitalize() for state in MessageState}
FORMATS: dict[MessageFormat, str] = {form: form.value.upper() for form in MessageFormat}


def message_info(
    command: SetDisplayMessage,
    version: str,
    states: Collection[MessageState] = tuple(MessageState),
    formats: Collection[MessageFormat] = tuple(MessageFormat),
) -> dict[str, Any]:
    """The MessageInfoType (snake_case keys, as the `ocpp` dataclasses hold nested objects). Raises NotExpressible
    for a state or format `version` does not have."""
    if command.state is not None and command.state not in states:
        raise NotExpressible(f"OCPP {version} has no message state {command.state.value}")
    if command.format not in formats:
        raise NotExpressible(f"OCPP {version} has no message format {command.format.value}")
    content: dict[str, Any] = {"format": FORMATS[command.format], "content": command.content}
    if command.language is not None:
        content["language"] = command.language
    info: dict[str, Any] = {"id": command.id, "priority": PRIORITIES[command.priority], "message": content}
    if command.state is not None:
        info["state"] = STATES[command.state]
    if command.start_at is not None:
        info["start_date_time"] = ocpp_datetime(command.start_at)
    if command.end_at is not None:
        info["end_date_time"] = ocpp_datetime(command.end_at)
    if command.transaction_id is not None:
        info["transaction_id"] = command.transaction_id
    if command.display is not None:
        display: dict[str, Any] = {"name": command.display.name}
        if command.display.instance is not None:
            display["instance"] = command.display.instance
        if command.display.evse_id is not None:
            evse: dict[str, Any] = {"id": command.display.evse_id}
            if command.display.connector_id is not None:
                evse["connector_id"] = command.display.connector_id
            display["evse"] = evse
        info["display"] = display
    return info


def reported(info: dict[str, Any]) -> device_model_pb2.DisplayMessage:
    """A MessageInfo of NotifyDisplayMessages (snake_case keys) as the neutral DisplayMessage."""
    content = info.get("message") or {}
    message = device_model_pb2.DisplayMessage(
        id=info["id"],
        priority=snake(text(info["priority"])),
        state=snake(text(info["state"])) if info.get("state") else "",
        transaction_id=info.get("transaction_id") or "",
        format=snake(text(content.get("format", ""))),
        language=content.get("language") or "",
        content=content.get("content") or "",
    )
    for key, field in (("start_date_time", "start_at"), ("end_date_time", "end_at")):
        if info.get(key):
            getattr(message, field).CopyFrom(timestamp(parse_ocpp_datetime(info[key])))
    display = info.get("display")
    if display:
        message.display_name = display.get("name") or ""
        message.display_instance = display.get("instance") or ""
        evse = display.get("evse")
        if evse:
            message.display_evse_id = evse["id"]
            if evse.get("connector_id") is not None:
                message.display_connector_id = evse["connector_id"]
    return message
