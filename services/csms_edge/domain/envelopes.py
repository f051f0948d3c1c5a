"""Builds the `Envelope` records the edge appends to the frame log (pure; clock and trace ids injected).

Times: `received_at` is when the edge read the frame from the socket (inbound) or wrote it to the socket
(outbound); `produced_at` is stamped by the frame log when it hands the record to Kafka.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from google.protobuf.timestamp_pb2 import Timestamp

from csms.envelope.v1 import envelope_pb2
from csms_edge.app.connections import Connection
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.framing import UNKNOWN_MESSAGE_ID, Frame, MalformedFrame, MessageType
from csms_kernel.ocpp.secrets import redact_call_frame
from csms_kernel.telemetry.tracing import current_traceparent

Envelope = envelope_pb2.Envelope


def new_traceparent() -> str:
    """A fresh W3C traceparent (sampled): the trace of one station frame starts at the edge. Random ids as the
    OpenTelemetry SDK makes them (`random.getrandbits`); os.urandom costs a system call per id."""
    return f"00-{random.getrandbits(128):032x}-{random.getrandbits(64):016x}-01"


def frame_traceparent() -> str:
    """The current span's context (the edge's `ocpp.receive` span); a fresh one when tracing is off, so every
    frame still carries a trace id."""
    return current_traceparent() or new_traceparent()


def timestamp(ns: int) -> Timestamp:
    return Timestamp(seconds=ns // 1_000_000_000, nanos=ns % 1_000_000_000)


def _message_type(message_type: MessageType) -> envelope_pb2.MessageType.ValueType:
    return envelope_pb2.MessageType.ValueType(message_type.value)


def raw_bytes(message: str | bytes) -> bytes:
    return message if isinstance(message, bytes) else message.encode("utf-8")


class EnvelopeFactory:
    def __init__(
        self,
        node_id: str,
        tenant: str,
        *,
        clock_ns: Callable[[], int] = time.time_ns,
        traceparents: Callable[[], str] = frame_traceparent,
    ) -> None:
        self.node_id = node_id
        self.tenant = tenant
        self.clock_ns = clock_ns
        self._traceparents = traceparents

    def _base(
        self,
        connection: Connection,
        direction: envelope_pb2.Direction.ValueType,
        kind: envelope_pb2.Kind.ValueType,
        at_ns: int,
    ) -> Envelope:
        envelope = Envelope(
            station_id=connection.station_id,
            tenant=self.tenant,
            ocpp_version=version_to_proto(connection.version),
            direction=direction,
            kind=kind,
            edge_node_id=self.node_id,
            connection_id=connection.connection_id,
        )
        received_at = envelope.received_at
        received_at.seconds, received_at.nanos = divmod(at_ns, 1_000_000_000)
        return envelope

    def inbound(
        self, connection: Connection, message: str | bytes, parsed: Frame | MalformedFrame, at_ns: int, action: str = ""
    ) -> Envelope:
        """A frame the station sent: FRAME if it parsed, MALFORMED_FRAME (with the reason) if not."""
        if isinstance(parsed, MalformedFrame):
            envelope = self._base(
                connection, envelope_pb2.DIRECTION_STATION_TO_CSMS, envelope_pb2.KIND_MALFORMED_FRAME, at_ns
            )
            envelope.reason = f"{parsed.kind.value}: {parsed.description}"
            if parsed.message_type is not None:
                envelope.message_type = _message_type(parsed.message_type)
            if parsed.message_id != UNKNOWN_MESSAGE_ID:
                envelope.message_id = parsed.message_id
        else:
            envelope = self._base(connection, envelope_pb2.DIRECTION_STATION_TO_CSMS, envelope_pb2.KIND_FRAME, at_ns)
            envelope.message_type = _message_type(parsed.message_type)
            envelope.message_id = parsed.message_id
            envelope.action = parsed.action or action
        envelope.frame = raw_bytes(message)
        envelope.traceparent = self._traceparents()
        return envelope

    def outbound(
        self,
        connection: Connection,
        frame: str,
        message_type: MessageType,
        message_id: str,
        action: str = "",
        traceparent: str = "",
    ) -> Envelope:
        """The frame-log record of a frame the edge itself writes to the station (its CALLERROR to a malformed
        frame, a CALL); a station secret in a CALL is redacted (`csms_kernel.ocpp.secrets`)."""
        envelope = self._base(
            connection, envelope_pb2.DIRECTION_CSMS_TO_STATION, envelope_pb2.KIND_FRAME, self.clock_ns()
        )
        envelope.message_type = _message_type(message_type)
        envelope.message_id = message_id
        envelope.action = action
        if message_type is MessageType.CALL:
            frame = redact_call_frame(action, frame)
        envelope.frame = frame.encode("utf-8")
        envelope.traceparent = traceparent
        return envelope

    def delivered(self, delivery: Envelope, at_ns: int) -> Envelope:
        """The record of a delivery-topic frame this node wrote to the station's socket."""
        envelope = Envelope()
        envelope.CopyFrom(delivery)
        envelope.edge_node_id = self.node_id
        envelope.kind = envelope_pb2.KIND_FRAME
        envelope.direction = envelope_pb2.DIRECTION_CSMS_TO_STATION
        if not envelope.tenant:
            envelope.tenant = self.tenant
        envelope.received_at.CopyFrom(timestamp(at_ns))
        envelope.ClearField("produced_at")
        return envelope

    def connected(self, connection: Connection, edge_address: str) -> Envelope:
        envelope = self._base(
            connection, envelope_pb2.DIRECTION_STATION_TO_CSMS, envelope_pb2.KIND_CONNECTED, self.clock_ns()
        )
        envelope.edge_address = edge_address
        return envelope

    def disconnected(self, connection: Connection, reason: str) -> Envelope:
        envelope = self._base(
            connection, envelope_pb2.DIRECTION_STATION_TO_CSMS, envelope_pb2.KIND_DISCONNECTED, self.clock_ns()
        )
        envelope.reason = reason
        return envelope
