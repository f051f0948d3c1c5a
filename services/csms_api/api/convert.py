"""Protobuf values the routes turn into JSON: timestamps, OCPP versions, JSON strings, CALLERRORs. No I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from google.protobuf.message import Message
from pydantic import BaseModel, Field

from csms.edge.v1 import edge_pb2
from csms.envelope.v1 import envelope_pb2

OcppVersionName = Literal["1.6", "2.0.1", "2.1"]
OCPP_VERSION_NAMES: dict[int, OcppVersionName] = {
    envelope_pb2.OCPP_VERSION_16: "1.6",
    envelope_pb2.OCPP_VERSION_201: "2.0.1",
    envelope_pb2.OCPP_VERSION_21: "2.1",
}


def when(message: Message, field: str) -> datetime | None:
    """The timestamp field as an aware UTC datetime; None when unset."""
    if not message.HasField(field):
        return None
    stamp = getattr(message, field)
    moment: datetime = stamp.ToDatetime(tzinfo=UTC)
    return moment


def version(value: int) -> OcppVersionName | None:
    return OCPP_VERSION_NAMES.get(value)


def text(value: str) -> str | None:
    """A proto3 string, None when empty (proto3 cannot tell empty from unset)."""
    return value or None


def parsed(value: str) -> Any:
    """A JSON string field as its value; None when empty."""
    return json.loads(value) if value else None


class CallError(BaseModel):
    """A station's CALLERROR answer."""

    code: str
    description: str | None
    details: Any = Field(description="The CALLERROR's details object as the station sent it.")


def call_error(error: edge_pb2.CallError) -> CallError:
    return CallError(code=error.code, description=text(error.description), details=parsed(error.details_json))
