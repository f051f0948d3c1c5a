"""Builds and reads the protobuf envelopes of Kafka records (frames, replies, connection events)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp

from csms.envelope.v1 import envelope_pb2
from csms_kernel.ocpp.framing import MessageType
from csms_kernel.ocpp.versions import OcppVersion

_TO_PROTO: dict[OcppVersion, envelope_pb2.OcppVersion.ValueType] = {
    OcppVersion.V16: envelope_pb2.OCPP_VERSION_16,
    OcppVersion.V201: envelope_pb2.OCPP_VERSION_201,
    OcppVersion.V21: envelope_pb2.OCPP_VERSION_21,
}


def version_to_proto(version: OcppVersion) -> envelope_pb2.OcppVersion.ValueType:
    return _TO_PROTO[version]


def version_from_proto(value: envelope_pb2.OcppVersion.ValueType) -> OcppVersion:
    for version, proto in _TO_PROTO.items():
        if proto == value:
            return version
    raise ValueError(f"unknown OCPP version in envelope: {value}")


def timestamp(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment)
    return ts


def to_datetime(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


def decode(value: bytes | None) -> envelope_pb2.Envelope | None:
    """The envelope in a Kafka record's value; None for a tombstone or bytes that are not an envelope."""
    if value is None:
        return None
    envelope = envelope_pb2.Envelope()
    try:
        envelope.ParseFromString(value)
    except DecodeError:
        return None
    return envelope


def reply_to(request: envelope_pb2.Envelope, frame: str, is_error: bool, now: datetime) -> envelope_pb2.Envelope:
    """The envelope of a service's answer to a station's CALL, addressed to the connection that sent it."""
    return envelope_pb2.Envelope(
        station_id=request.station_id,
        tenant=request.tenant,
        ocpp_version=request.ocpp_version,
        direction=envelope_pb2.DIRECTION_CSMS_TO_STATION,
        kind=envelope_pb2.KIND_FRAME,
        message_type=(MessageType.CALL_ERROR if is_error else MessageType.CALL_RESULT).value,  # type: ignore[arg-type]
        message_id=request.message_id,
        action=request.action,
        frame=frame.encode(),
        edge_node_id=request.edge_node_id,
        connection_id=request.connection_id,
        received_at=request.received_at,
        produced_at=timestamp(now),
        traceparent=request.traceparent,
    )
