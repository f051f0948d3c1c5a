"""Frame envelopes as the edge writes them and call runners reply with: one OCPP-J frame of station CS-1 on an
edge-1 connection, 2.0.1, with every field overridable."""

from __future__ import annotations

from typing import Any

from csms.envelope.v1 import envelope_pb2

_DIRECTION = {
    envelope_pb2.MESSAGE_TYPE_CALL: envelope_pb2.DIRECTION_STATION_TO_CSMS,
    envelope_pb2.MESSAGE_TYPE_SEND: envelope_pb2.DIRECTION_STATION_TO_CSMS,
    envelope_pb2.MESSAGE_TYPE_CALL_RESULT: envelope_pb2.DIRECTION_CSMS_TO_STATION,
}


def frame_envelope(
    frame: str | bytes,
    message_type: envelope_pb2.MessageType.ValueType = envelope_pb2.MESSAGE_TYPE_CALL,
    **fields: Any,
) -> envelope_pb2.Envelope:
    """A CALL travels station → CSMS and a CALLRESULT CSMS → station unless `direction` says otherwise."""
    defaults: dict[str, Any] = {
        "station_id": "CS-1",
        "ocpp_version": envelope_pb2.OCPP_VERSION_201,
        "direction": _DIRECTION[message_type],
        "kind": envelope_pb2.KIND_FRAME,
        "message_id": "m1",
        "action": "Heartbeat",
        "edge_node_id": "edge-1",
        "connection_id": "c0ffee",
    }
    return envelope_pb2.Envelope(
        message_type=message_type,
        frame=frame.encode() if isinstance(frame, str) else frame,
        **(defaults | fields),
    )
