"""What a Kafka record of a source topic means to a live events client: its SSE type and JSON data, or nothing.

Sources: `csms.device_model.events.v1` (DeviceModelEvent), `csms.transactions.events.v1` (TransactionEvent),
`csms.firmware.events.v1` (FirmwareEvent: firmware/log requests and the stations' status reports),
`csms.smart_charging.events.v1` (SmartChargingEvent: profile requests and the stations' smart-charging reports) and
the CONNECTED/DISCONNECTED envelopes of `ocpp.frames.v1`, told apart from the frames by their `kind` header
without decoding the record. A domain event's kind (the name of its `event` oneof field) maps to a `Kind` in
`DEVICE_MODEL_KINDS` / `TRANSACTION_KINDS` / `FIRMWARE_KINDS` / `SMART_CHARGING_KINDS`; adding a kind is one line
there. The data is one JSON object: the event's outer fields and its kind's own fields in snake_case (proto JSON
rules: timestamps RFC 3339, enums by name, 64-bit integers as strings, defaults included), `ocpp_version` as the
API writes it everywhere ("1.6", "2.0.1", "2.1"); a command event's fields are the command as
`GET /api/v1/commands/{id}` shows it. Each event is rendered once (`LiveEvent.body`) and shared by every
subscriber. No side effects.
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
from csms.firmware.v1 import firmware_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_api.api.commands import command
from csms_api.api.convert import version
from csms_kernel.infra import topics

log = logging.getLogger(__name__)


def proto_fields(message: Message) -> dict[str, Any]:
    """A message's fields in snake_case, by the proto JSON rules, defaults included."""
    return json_format.MessageToDict(
        message, always_print_fields_with_no_presence=True, preserving_proto_field_name=True
    )


def command_fields(message: Any) -> dict[str, Any]:
    """A command event's fields: its command as the REST API shows it."""
    fields: dict[str, Any] = command(message.command).model_dump(mode="json")
    return fields


def report_part_fields(message: Any) -> dict[str, Any]:
    """A NotifyReport part's progress (request id, seqNo, tbc, how many variables), not its variables: read those
    with `GET /api/v1/stations/{id}/device-model`."""
    return {
        "request_id": message.request_id,
        "seq_no": message.seq_no,
        "tbc": message.tbc,
        "generated_at": message.generated_at.ToJsonString(),
        "variables": len(message.variables),
    }


@dataclass(frozen=True)
class Kind:
    """How one kind of domain event is streamed: its SSE type and the JSON fields of its message."""

    type: str
    fields: Callable[[Any], dict[str, Any]] = proto_fields


DEVICE_MODEL_KINDS: dict[str, Kind] = {
    "station_booted": Kind("station.booted"),
    "connector_status_changed": Kind("connector.status_changed"),
    "command_queued": Kind("command.queued", command_fields),
    "command_sent": Kind("command.sent", command_fields),
    "command_answered": Kind("command.answered", command_fields),
    "command_failed": Kind("command.failed", command_fields),
    "command_expired": Kind("command.expired", command_fields),
    "display_messages_reported": Kind("display_messages.reported"),
    "data_transfer_received": Kind("data_transfer.received"),
    "report_part_received": Kind("report.part_received", report_part_fields),
    "station_event_reported": Kind("station.event"),
}
"""DeviceModelEvent kinds streamed."""

TRANSACTION_KINDS: dict[str, Kind] = {
    "started": Kind("transaction.started"),
    "updated": Kind("transaction.updated"),
    "ended": Kind("transaction.ended"),
}
"""TransactionEvent kinds streamed (meter values outside a transaction are not)."""


def report_fields(message: Any) -> dict[str, Any]:
    """A firmware status report's fields, with its OCPP version as the API writes it."""
    fields = proto_fields(message)
    fields["ocpp_version"] = version(message.ocpp_version)
    return fields


FIRMWARE_KINDS: dict[str, Kind] = {
    "requested": Kind("firmware.requested"),
    "status_reported": Kind("firmware.status_reported", report_fields),
}
"""FirmwareEvent kinds streamed (a request handed to device-model; a station's firmware, log, diagnostics or
publish status notification)."""

SMART_CHARGING_KINDS: dict[str, Kind] = {
    "requested": Kind("charging_profile.requested"),
    "reported": Kind("charging_profile.reported", report_fields),
}
"""SmartChargingEvent kinds streamed (a profile command handed to device-model; a 2.x station's NotifyChargingLimit,
ClearedChargingLimit, NotifyEVChargingNeeds, NotifyEVChargingSchedule or ReportChargingProfiles)."""


def created_fields(message: Any) -> dict[str, Any]:
    """A campaign's creation without its (possibly 10,000-long) station list: the number of stations instead."""
    fields = proto_fields(message)
    fields["stations"] = len(message.stations)
    return fields


CAMPAIGN_KINDS: dict[str, Kind] = {
    name: Kind(f"firmware.campaign.{name}", created_fields if name == "created" else proto_fields)
    for name in (field.name for field in firmware_pb2.CampaignEvent.DESCRIPTOR.oneofs_by_name["event"].fields)
}
"""CampaignEvent kinds streamed, every one (csms.firmware.campaigns.v1; the station is the attempt's, if any)."""

CONNECTION_KINDS: dict[bytes, str] = {
    b"KIND_CONNECTED": "station.connected",
    b"KIND_DISCONNECTED": "station.disconnected",
}
"""`kind` header values of the frame log's connection envelopes → SSE type."""

KNOWN_TYPES: frozenset[str] = frozenset(
    {
        kind.type
        for kinds in (DEVICE_MODEL_KINDS, TRANSACTION_KINDS, FIRMWARE_KINDS, SMART_CHARGING_KINDS, CAMPAIGN_KINDS)
        for kind in kinds.values()
    }
    | set(CONNECTION_KINDS.values())
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


def _domain_event(message: Message, kinds: Mapping[str, Kind]) -> LiveEvent | None:
    """A domain event with an `event` oneof: its kind's type, the outer fields and the kind's fields in one."""
    name = message.WhichOneof("event")
    kind = kinds.get(name) if name is not None else None
    if name is None or kind is None:
        return None
    data = proto_fields(message)
    del data[name]
    if "ocpp_version" in message.DESCRIPTOR.fields_by_name:
        data["ocpp_version"] = version(message.ocpp_version)  # type: ignore[attr-defined]
    data.update(kind.fields(getattr(message, name)))  # a command's own version and times win
    return LiveEvent(kind.type, message.station_id, render(kind.type, data))  # type: ignore[attr-defined]


def _device_model_event(record: Record) -> LiveEvent | None:
    event = device_model_pb2.DeviceModelEvent()
    event.ParseFromString(record.value or b"")
    return _domain_event(event, DEVICE_MODEL_KINDS)


def _transaction_event(record: Record) -> LiveEvent | None:
    event = transactions_pb2.TransactionEvent()
    event.ParseFromString(record.value or b"")
    return _domain_event(event, TRANSACTION_KINDS)


def _firmware_event(record: Record) -> LiveEvent | None:
    event = firmware_pb2.FirmwareEvent()
    event.ParseFromString(record.value or b"")
    return _domain_event(event, FIRMWARE_KINDS)


def _smart_charging_event(record: Record) -> LiveEvent | None:
    event = smart_charging_pb2.SmartChargingEvent()
    event.ParseFromString(record.value or b"")
    return _domain_event(event, SMART_CHARGING_KINDS)


def _campaign_event(record: Record) -> LiveEvent | None:
    event = firmware_pb2.CampaignEvent()
    event.ParseFromString(record.value or b"")
    name = event.WhichOneof("event")
    if name is None:
        return None
    kind = CAMPAIGN_KINDS[name]
    change = getattr(event, name)
    data = proto_fields(event)
    del data[name]
    data.update(kind.fields(change))
    station_id = getattr(change, "station_id", "")
    data["station_id"] = station_id  # like every live event's; "" for a campaign-wide one
    return LiveEvent(kind.type, station_id, render(kind.type, data))


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
        "ocpp_version": version(envelope.ocpp_version),
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
    topics.FIRMWARE_EVENTS: _firmware_event,
    topics.SMART_CHARGING_EVENTS: _smart_charging_event,
    topics.FIRMWARE_CAMPAIGNS: _campaign_event,
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
