"""What a Kafka record of a source topic means to a live events client: its SSE type and JSON data, or nothing.

Sources: `csms.device_model.events.v1` (DeviceModelEvent), `csms.transactions.events.v1` (TransactionEvent) and
the CONNECTED/DISCONNECTED envelopes of `ocpp.frames.v1`, told apart from the frames by their `kind` header
without decoding the record. A domain event's kind (the name of its `event` oneof field) maps to an SSE type in
`DEVICE_MODEL_KINDS` / `TRANSACTION_KINDS`; adding a kind is one line there. The data is the event's fields in
snake_case (outer fields and the kind's own fields in one object, proto JSON rules: timestamps RFC 3339, enums
by name, 64-bit integers as strings), `ocpp_version` as the subprotocol name (`ocpp2.0.1`). Each event is
rendered once (`LiveEvent.body`) and shared by every subscriber. No side effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import version_from_proto

log = logging.getLogger(__name__)

EventType = str | Callable[[Any], str]
"""The SSE type of a kind: fixed, or computed from the kind's message (e.g. a command's state)."""


def command_type(state: device_model_pb2.CommandState.ValueType) -> str:
    """`command.<state>` for a command state: command.queued, .sent, .answered, .failed, .expired."""
    return "command." + device_model_pb2.CommandState.Name(state).removeprefix("COMMAND_STATE_").lower()


DEVICE_MODEL_KINDS: dict[str, EventType] = {
    "station_booted": "station.booted",
    "connector_status_changed": "connector.status_changed",
}
"""DeviceModelEvent kinds streamed. Command outcomes, once DeviceModelEvent has them, are one more line, e.g.
`"command_updated": lambda event: command_type(event.command.state)`."""

TRANSACTION_KINDS: dict[str, EventType] = {
    "started": "transaction.started",
    "updated": "transaction.updated",
    "ended": "transaction.ended",
}
"""TransactionEvent kinds streamed (meter values outside a transaction are not)."""

CONNECTION_KINDS: dict[bytes, str] = {
    b"KIND_CONNECTED": "station.connected",
    b"KIND_DISCONNECTED": "station.disconnected",
}
"""`kind` header values of the frame log's connection envelopes → SSE type."""

KNOWN_TYPES: frozenset[str] = frozenset(
    {t for t in (*DEVICE_MODEL_KINDS.values(), *TRANSACTION_KINDS.values()) if isinstance(t, str)}
    | set(CONNECTION_KINDS.values())
    | {command_type(state) for state in device_model_pb2.CommandState.values() if state}
)
"""Every type a client may ask for in `?type=` (a prefix of one of them)."""


class Record(Protocol):
    """A consumed Kafka record (aiokafka's ConsumerRecord has these attributes)."""

    @property
    def offset(self) -> int: ...

    @property
    def value(self) -> bytes | None: ...

    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One event as every subscriber gets it: type, station, and the SSE lines after `id:` (ending the event)."""

    type: str
    station_id: str
    body: bytes


def render(event_type: str, data: Mapping[str, Any]) -> bytes:
    """The `event:` and `data:` lines and the blank line that ends an SSE event (JSON has no raw newlines)."""
    return b"event: " + event_type.encode() + b"\ndata: " + msgspec.json.encode(data) + b"\n\n"


def _version(value: envelope_pb2.OcppVersion.ValueType) -> str:
    try:
        return version_from_proto(value).subprotocol
    except ValueError:
        return ""


def _fields(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, always_print_fields_with_no_presence=True, preserving_proto_field_name=True
    )


def _domain_event(message: Message, kinds: Mapping[str, EventType]) -> LiveEvent | None:
    """A domain event with an `event` oneof: its kind's type, the outer fields and the kind's fields in one."""
    kind = message.WhichOneof("event")
    event_type = kinds.get(kind) if kind is not None else None
    if kind is None or event_type is None:
        return None
    inner = getattr(message, kind)
    name = event_type if isinstance(event_type, str) else event_type(inner)
    data = _fields(message)
    data.update(data.pop(kind))
    data["ocpp_version"] = _version(message.ocpp_version)  # type: ignore[attr-defined]
    return LiveEvent(name, message.station_id, render(name, data))  # type: ignore[attr-defined]


def _device_model_event(record: Record) -> LiveEvent | None:
    event = device_model_pb2.DeviceModelEvent()
    event.ParseFromString(record.value or b"")
    return _domain_event(event, DEVICE_MODEL_KINDS)


def _transaction_event(record: Record) -> LiveEvent | None:
    event = transactions_pb2.TransactionEvent()
    event.ParseFromString(record.value or b"")
    return _domain_event(event, TRANSACTION_KINDS)


def _connection_event(record: Record) -> LiveEvent | None:
    for name, value in record.headers:
        if name == "kind":
            event_type = CONNECTION_KINDS.get(value)
            break
    else:
        return None
    if event_type is None:
        return None
    envelope = envelope_pb2.Envelope()
    envelope.ParseFromString(record.value or b"")
    data: dict[str, Any] = {
        "station_id": envelope.station_id,
        "occurred_at": envelope.received_at.ToJsonString() if envelope.HasField("received_at") else "",
        "ocpp_version": _version(envelope.ocpp_version),
        "edge_node_id": envelope.edge_node_id,
        "connection_id": envelope.connection_id,
    }
    if envelope.kind == envelope_pb2.KIND_DISCONNECTED:
        data["reason"] = envelope.reason
    return LiveEvent(event_type, envelope.station_id, render(event_type, data))


DECODERS: dict[str, Callable[[Record], LiveEvent | None]] = {
    topics.FRAMES: _connection_event,
    topics.DEVICE_MODEL_EVENTS: _device_model_event,
    topics.TRANSACTIONS_EVENTS: _transaction_event,
}

SOURCE_TOPICS: tuple[str, ...] = tuple(DECODERS)


def event_of(topic: str, record: Record) -> LiveEvent | None:
    """The live event a record carries; None for records no client sees (other frames, other kinds, records
    that do not decode, which are logged)."""
    try:
        return DECODERS[topic](record)
    except (DecodeError, ValueError, KeyError):
        log.warning("live events: skipping undecodable record %s@%d", topic, record.offset, exc_info=True)
        return None
