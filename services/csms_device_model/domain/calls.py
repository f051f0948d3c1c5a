"""Whether a CALL may go to a station of a version: an action of that version that the CSMS sends (not one only
stations send), with a payload valid against the version's official request schema. Pure; no I/O."""

from __future__ import annotations

from typing import Any

from csms_kernel.ocpp.directions import csms_may_send
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.schemas import MessageKind, action_exists, validate
from csms_kernel.ocpp.versions import OcppVersion


class ActionNotSendable(ValueError):
    """The action is not one the CSMS can send to a station of the version."""


class PayloadNotValid(ValueError):
    """The payload does not pass the version's request schema."""


def check_call(version: OcppVersion, action: str, payload: dict[str, Any]) -> None:
    """Raises ActionNotSendable or PayloadNotValid, saying why."""
    if not action_exists(version, action):
        raise ActionNotSendable(f"{action!r} is not an action of {version.subprotocol}")
    if not csms_may_send(version, action):
        raise ActionNotSendable(f"{action!r} is sent by stations to the CSMS, never to a station")
    try:
        validate(version, action, MessageKind.REQUEST, payload)
    except OcppCallError as exc:
        raise PayloadNotValid(f"payload not valid for {version.subprotocol}: {exc.description}") from exc
