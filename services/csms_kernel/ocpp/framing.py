"""OCPP-J framing: parse a WebSocket text frame into a typed frame, or say precisely why it is malformed.

Only the RPC layer is checked here (array shape, message type id, message id, action, payload object);
payload schemas are checked by the owning service's router.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field
from typing import Any

import msgspec

from csms_kernel.ocpp.errors import ErrorKind
from csms_kernel.ocpp.versions import OcppVersion

# OCPP-J: "-1" answers a message whose id could not be read.
UNKNOWN_MESSAGE_ID = "-1"
MAX_MESSAGE_ID_LENGTH = 36
# A \uD800-\uDFFF escape: JSON allows it, but a lone one is no character and no UTF-8 text can carry it.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class MessageType(enum.IntEnum):
    CALL = 2
    CALL_RESULT = 3
    CALL_ERROR = 4
    # OCPP 2.1 only.
    CALL_RESULT_ERROR = 5
    SEND = 6


_DECODER = msgspec.json.Decoder()
_MESSAGE_TYPES = {message_type.value: message_type for message_type in MessageType}
_TYPES_BY_VERSION: dict[OcppVersion, frozenset[MessageType]] = {
    OcppVersion.V16: frozenset({MessageType.CALL, MessageType.CALL_RESULT, MessageType.CALL_ERROR}),
    OcppVersion.V201: frozenset({MessageType.CALL, MessageType.CALL_RESULT, MessageType.CALL_ERROR}),
    OcppVersion.V21: frozenset(MessageType),
}


@dataclass(frozen=True)
class Frame:
    message_type: MessageType
    message_id: str
    action: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    error_code: str = ""
    error_description: str = ""
    error_details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MalformedFrame:
    """Why a frame was rejected, and how to answer it (message id "-1" when it could not be read)."""

    message_id: str
    kind: ErrorKind
    description: str
    message_type: MessageType | None = None


def parse_frame(text: str | bytes, version: OcppVersion) -> Frame | MalformedFrame:
    if isinstance(text, bytes):
        return MalformedFrame(UNKNOWN_MESSAGE_ID, ErrorKind.RPC_FRAMEWORK_ERROR, "OCPP-J frames must be text")
    try:
        message = _DECODER.decode(text)
    except (msgspec.DecodeError, ValueError, RecursionError):
        return MalformedFrame(UNKNOWN_MESSAGE_ID, ErrorKind.RPC_FRAMEWORK_ERROR, "frame is not valid JSON")
    if _SURROGATE_ESCAPE.search(text) and not _is_unicode(message):
        return MalformedFrame(UNKNOWN_MESSAGE_ID, ErrorKind.RPC_FRAMEWORK_ERROR, "frame has a lone surrogate escape")
    if not isinstance(message, list) or len(message) < 2:
        return MalformedFrame(
            UNKNOWN_MESSAGE_ID,
            ErrorKind.RPC_FRAMEWORK_ERROR,
            "frame must be a JSON array [MessageTypeId, MessageId, ...]",
        )
    type_id, message_id = message[0], message[1]
    if not isinstance(message_id, str) or not message_id or len(message_id) > MAX_MESSAGE_ID_LENGTH:
        return MalformedFrame(
            UNKNOWN_MESSAGE_ID,
            ErrorKind.RPC_FRAMEWORK_ERROR,
            f"MessageId must be a non-empty string of at most {MAX_MESSAGE_ID_LENGTH} characters",
        )
    if isinstance(type_id, bool) or not isinstance(type_id, int):
        return MalformedFrame(message_id, ErrorKind.RPC_FRAMEWORK_ERROR, "MessageTypeId must be an integer")
    message_type = _MESSAGE_TYPES.get(type_id)
    if message_type is None or message_type not in _TYPES_BY_VERSION[version]:
        return MalformedFrame(
            message_id,
            ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED,
            f"MessageTypeId {type_id} is not supported by {version.subprotocol}",
        )
    return _parse_body(message, message_type, message_id)


def _is_unicode(message: Any) -> bool:
    """False when a decoded string holds a lone surrogate (escaped pairs decode to one character)."""
    try:
        json.dumps(message, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def _parse_body(message: list[Any], message_type: MessageType, message_id: str) -> Frame | MalformedFrame:
    if message_type in (MessageType.CALL, MessageType.SEND):
        if len(message) != 4 or not isinstance(message[2], str) or not isinstance(message[3], dict):
            return _bad(
                message_id,
                message_type,
                f"a {message_type.name} is [{message_type.value}, MessageId, Action, {{Payload}}]",
            )
        if not message[2]:
            return _bad(message_id, message_type, "Action must not be empty")
        return Frame(message_type, message_id, action=message[2], payload=message[3])
    if message_type is MessageType.CALL_RESULT:
        if len(message) != 3 or not isinstance(message[2], dict):
            return _bad(message_id, message_type, "a CALLRESULT is [3, MessageId, {Payload}]")
        return Frame(message_type, message_id, payload=message[2])
    if (
        len(message) != 5
        or not isinstance(message[2], str)
        or not isinstance(message[3], str)
        or not isinstance(message[4], dict)
    ):
        return _bad(message_id, message_type, "a CALLERROR is [4, MessageId, ErrorCode, ErrorDescription, {}]")
    return Frame(
        message_type,
        message_id,
        error_code=message[2],
        error_description=message[3],
        error_details=message[4],
    )


def _bad(message_id: str, message_type: MessageType, description: str) -> MalformedFrame:
    return MalformedFrame(message_id, ErrorKind.RPC_FRAMEWORK_ERROR, description, message_type)


def call_result_frame(message_id: str, payload: dict[str, Any]) -> str:
    return json.dumps([MessageType.CALL_RESULT.value, message_id, payload], separators=(",", ":"))


def call_error_frame(message_id: str, code: str, description: str, details: dict[str, Any] | None = None) -> str:
    # OCPP-J limits ErrorDescription to 255 characters.
    return json.dumps(
        [MessageType.CALL_ERROR.value, message_id, code, description[:255], details or {}],
        separators=(",", ":"),
    )


def call_frame(message_id: str, action: str, payload: dict[str, Any]) -> str:
    return json.dumps([MessageType.CALL.value, message_id, action, payload], separators=(",", ":"))
