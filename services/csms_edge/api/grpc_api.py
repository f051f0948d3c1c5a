"""`csms.edge.v1.EdgeService`: CSMS-initiated CALLs to stations connected to this node.

`SendCall` builds the CALL frame, queues it behind the station's outstanding CALL (one at a time), records
it in the frame log, writes it to the socket and returns the station's CALLRESULT/CALLERROR. What the CALL asks
the station to send is allowed while its boot is Pending (`edge.domain.boot_gate`, docs/adr/0031). The CALL is
written only once it is recorded.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import grpc
from opentelemetry.trace import SpanKind
from websockets.exceptions import ConnectionClosed

from csms.edge.v1 import edge_pb2, edge_pb2_grpc
from csms_edge.app.connections import Connection, ConnectionTable
from csms_edge.app.outbound import CallTimedOut, OutboundQueueFull, StationDisconnected
from csms_edge.domain import boot_gate
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_edge.ports import FrameLog
from csms_kernel.ocpp.framing import MAX_MESSAGE_ID_LENGTH, Frame, MessageType, call_frame
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

SERVICE_NAME = "csms.edge.v1.EdgeService"


class EdgeServicer(edge_pb2_grpc.EdgeServiceServicer):
    def __init__(
        self,
        table: ConnectionTable,
        frame_log: FrameLog,
        envelopes: EnvelopeFactory,
        *,
        default_timeout_s: float,
        outbound_queue_size: int,
        max_timeout_s: float = 300.0,
    ) -> None:
        self._table = table
        self._frame_log = frame_log
        self._envelopes = envelopes
        self._default_timeout_s = default_timeout_s
        self._outbound_queue_size = outbound_queue_size
        self._max_timeout_s = max_timeout_s

    async def SendCall(
        self, request: edge_pb2.SendCallRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> edge_pb2.SendCallResponse:
        payload = _payload(request, self._max_timeout_s)
        if isinstance(payload, str):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, payload)
        assert isinstance(payload, dict)
        node = self._envelopes.node_id
        connection = self._table.get(request.station_id, request.connection_id)
        if connection is None:
            await context.abort(
                grpc.StatusCode.NOT_FOUND, f"station {request.station_id} is not connected to edge node {node}"
            )
        assert connection is not None
        message_id = request.message_id or uuid.uuid4().hex
        timeout_s = request.timeout_ms / 1000 if request.timeout_ms else self._default_timeout_s
        frame = call_frame(message_id, request.action, payload)
        pipe = connection.outbound(self._outbound_queue_size)

        async def send() -> None:
            connection.csms_asked(boot_gate.asked_for(request.action, payload))
            await self._send(connection, frame, message_id, request.action)

        try:
            answer = await pipe.call(message_id, request.action, timeout_s, send, tracing.current_traceparent())
        except OutboundQueueFull as exc:
            await context.abort(
                grpc.StatusCode.RESOURCE_EXHAUSTED, f"outbound queue of station {request.station_id} is full: {exc}"
            )
        except CallTimedOut as exc:
            await context.abort(
                grpc.StatusCode.DEADLINE_EXCEEDED, f"station {request.station_id} did not answer: {exc}"
            )
        except (StationDisconnected, ConnectionClosed):
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"station {request.station_id} disconnected")
        except _NotRecorded:
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, "the CALL could not be recorded in the frame log; not sent"
            )
        return _response(message_id, answer)

    async def _send(self, connection: Connection, frame: str, message_id: str, action: str) -> None:
        version = connection.version.subprotocol
        with tracing.ocpp_span(tracing.SEND, SpanKind.PRODUCER, connection.station_id, action, message_id, version):
            envelope = self._envelopes.outbound(
                connection, frame, MessageType.CALL, message_id, action, tracing.current_traceparent()
            )
            try:
                await self._frame_log.append(envelope)
            except Exception as exc:
                log.error("station %s: CALL %s not recorded", connection.station_id, message_id, exc_info=True)
                raise _NotRecorded from exc
            await connection.socket.send(frame)
        metrics.count_frame(metrics.OUT, metrics.type_label(MessageType.CALL), action)


class _NotRecorded(Exception):
    pass


def _payload(request: edge_pb2.SendCallRequest, max_timeout_s: float) -> dict[str, Any] | str:
    """The request's payload object, or what is wrong with the request."""
    if not request.station_id:
        return "station_id is required"
    if not request.action:
        return "action is required"
    if request.timeout_ms > max_timeout_s * 1000:
        return f"timeout_ms must be at most {max_timeout_s * 1000:.0f} (the edge's max_call_timeout_s)"
    if len(request.message_id) > MAX_MESSAGE_ID_LENGTH:
        return f"message_id must be at most {MAX_MESSAGE_ID_LENGTH} characters"
    try:
        payload = json.loads(request.payload_json or "{}")
    except ValueError as exc:
        return f"payload_json is not valid JSON: {exc}"
    if not isinstance(payload, dict):
        return "payload_json must be a JSON object"
    return payload


def _response(message_id: str, answer: Frame) -> edge_pb2.SendCallResponse:
    if answer.message_type is MessageType.CALL_RESULT:
        return edge_pb2.SendCallResponse(
            message_id=message_id, result_json=json.dumps(answer.payload, separators=(",", ":"))
        )
    return edge_pb2.SendCallResponse(
        message_id=message_id,
        error=edge_pb2.CallError(
            code=answer.error_code,
            description=answer.error_description,
            details_json=json.dumps(answer.error_details, separators=(",", ":")),
        ),
    )
