"""One station connection's life: register, record CONNECTED, read frames in order, record DISCONNECTED.

For every frame read, the envelope is appended to the frame log and the append is awaited before
anything else happens with the frame; if it fails the frame is dropped unanswered (the station retries).
The edge parses only OCPP-J framing: a malformed CALL (or a frame of unknown type) is answered here with the
version's CALLERROR, and so is a CALL the station may not send while its boot is Pending or Rejected
(SecurityError; logged with its `reason`, not handed to its owner: `edge.domain.boot_gate`, docs/adr/0031; on
a connection without a boot answer the status of the station's last boot is looked up once, before its first CALL);
a CALL whose answer is a pure function of the frame (Heartbeat, `edge.domain.edge_answers`, docs/adr/0046) is
answered here too, once the CALL and its answer are both durable in the frame log, and not handed to its owner;
a malformed CALLRESULT/CALLERROR/CALLRESULTERROR/SEND is never answered (OCPP-J answers
only CALLs) but logged and counted, and fails the CSMS call it answers; a CALLRESULT/CALLERROR resolves the
pending CSMS-initiated call; CALLs are answered by their owning
service through this node's delivery topic (a CALL whose message id came before on this connection is marked
`repeat`, so the service answers it as before); a 2.1 SEND goes to its owning service the same way and is
never answered. A station over its budget of frames or bytes per second
(`edge.domain.budget`) is not read until it is back within it: TCP back-pressure slows it, the frames it sent
are all handled, and no other session waits. An error in one session never leaves it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from opentelemetry.trace import SpanKind
from websockets.exceptions import ConnectionClosed

from csms.envelope.v1.envelope_pb2 import Envelope
from csms_edge.app.connections import Connection, ConnectionTable
from csms_edge.domain import boot_gate, edge_answers
from csms_edge.domain.budget import Limits
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_edge.ports import BootStatuses, BootStatusUnavailable, FrameLog
from csms_kernel.ocpp.errors import code_for
from csms_kernel.ocpp.framing import Frame, MalformedFrame, MessageType, call_error_frame, parse_frame
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

_ANSWERS = frozenset({MessageType.CALL_RESULT, MessageType.CALL_ERROR, MessageType.CALL_RESULT_ERROR})
_NEVER_ANSWERED = _ANSWERS | {MessageType.SEND}
# 1013 Try Again Later: the frame log is unreachable, so nothing the station says could be recorded.
LOG_UNAVAILABLE_CODE = 1013
INTERNAL_ERROR_CODE = 1011


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What every session of this node shares."""

    table: ConnectionTable
    frame_log: FrameLog
    envelopes: EnvelopeFactory
    edge_address: str
    limits: Limits = field(default_factory=Limits)
    boot_statuses: BootStatuses | None = None
    answered_at_edge: frozenset[str] = frozenset()
    """Actions the edge answers itself (`edge.domain.edge_answers`, docs/adr/0046)."""


def describe_close(exc: ConnectionClosed) -> str:
    code = exc.rcvd.code if exc.rcvd is not None else exc.sent.code if exc.sent is not None else 1006
    return f"code {code}: {exc}"


class Session:
    __slots__ = ("_connection", "_context")

    def __init__(self, connection: Connection, context: SessionContext) -> None:
        self._connection = connection
        self._context = context

    async def run(self) -> None:
        """Serves the connection until it closes; never raises (except cancellation)."""
        connection, context = self._connection, self._context
        context.table.register(connection)
        reason = "connection ended"
        try:
            try:
                await context.frame_log.append(context.envelopes.connected(connection, context.edge_address))
            except Exception:
                log.error(
                    "station %s: cannot record CONNECTED; closing %s",
                    connection.station_id,
                    connection.connection_id,
                    exc_info=True,
                )
                reason = "frame log unavailable"
                await connection.socket.close(LOG_UNAVAILABLE_CODE, reason)
                return
            log.info(
                "station %s connected (%s, connection %s)",
                connection.station_id,
                connection.version.subprotocol,
                connection.connection_id,
            )
            loop = asyncio.get_running_loop()
            budget = context.limits.budget(loop.time())
            while True:
                message = await connection.socket.recv()
                await self.handle(message)
                if budget is not None and (wait := budget.charge(len(message), loop.time())) > 0:
                    metrics.THROTTLED_SECONDS.inc(wait)
                    await asyncio.sleep(wait)  # over its budget: the station's socket is not read meanwhile
        except ConnectionClosed as exc:
            reason = describe_close(exc)
        except Exception as exc:
            log.exception("station %s: session failed", connection.station_id)
            reason = f"edge error: {type(exc).__name__}"
            try:
                await connection.socket.close(INTERNAL_ERROR_CODE, "internal error")
            except Exception:
                log.debug("closing after a session error failed", exc_info=True)
        finally:
            await self._finish(reason)

    async def _finish(self, reason: str) -> None:
        connection, context = self._connection, self._context
        context.table.unregister(connection)
        connection.fail_outbound("station disconnected")
        log.info("station %s disconnected (connection %s, %s)", connection.station_id, connection.connection_id, reason)
        try:
            await context.frame_log.append(context.envelopes.disconnected(connection, reason))
        except Exception:
            log.error("station %s: cannot record DISCONNECTED", connection.station_id, exc_info=True)

    async def handle(self, message: str | bytes) -> None:
        """One received frame: log it (awaited), then act on it, in an `ocpp.receive` span (the answer to a
        CSMS-initiated CALL continues that CALL's trace). Raises only ConnectionClosed."""
        connection, context = self._connection, self._context
        received_at = context.envelopes.clock_ns()
        parsed = parse_frame(message, connection.version)
        pipe = connection.outbound_if_any
        action = parent = ""
        if isinstance(parsed, Frame) and parsed.message_type in _ANSWERS and pipe is not None:
            action = pipe.pending_action(parsed.message_id)
            parent = pipe.pending_traceparent(parsed.message_id)
        frame_type, frame_action = (
            (parsed.message_type, parsed.action or action) if isinstance(parsed, Frame) else (None, "")
        )
        metrics.count_frame(metrics.IN, metrics.type_label(frame_type), frame_action)
        with tracing.ocpp_span(
            tracing.RECEIVE,
            SpanKind.SERVER,
            connection.station_id,
            frame_action,
            parsed.message_id,
            connection.version.subprotocol,
            parent=parent,
            start_time=received_at,
        ):
            await self._handle(message, parsed, received_at, action)

    async def _handle(
        self, message: str | bytes, parsed: Frame | MalformedFrame, received_at: int, action: str
    ) -> None:
        connection, context = self._connection, self._context
        pipe = connection.outbound_if_any
        envelope = context.envelopes.inbound(connection, message, parsed, received_at, action)
        refused = answer = None
        if isinstance(parsed, Frame) and parsed.message_type is MessageType.CALL:
            first = connection.no_call_yet
            envelope.repeat = connection.saw_call(parsed.message_id)
            repeat_of = connection.repeat_of(parsed.message_id)
            if repeat_of:
                envelope.repeat, envelope.repeat_of_connection_id = True, repeat_of
            elif first and parsed.action != boot_gate.BOOT_NOTIFICATION:
                # A station rebooted may reuse its message ids; its BootNotification is never a repeat.
                envelope.first_call = True
            if connection.needs_boot_status(parsed.action):
                await self._look_up_boot_status()
            refused = connection.refusal(parsed.action)
            if refused is not None:
                envelope.reason = refused
            elif context.answered_at_edge:
                answer = edge_answers.answer(parsed, connection.version, received_at, context.answered_at_edge)
            if answer is not None:
                await self._answer_here(envelope, parsed, answer, received_at)
                return
        try:
            await context.frame_log.append(envelope)
        except Exception:
            log.error(
                "station %s: frame %s not recorded, dropped unanswered",
                connection.station_id,
                envelope.message_id or "?",
                exc_info=True,
            )
            return
        if refused is None and isinstance(parsed, Frame) and parsed.message_type is MessageType.CALL:
            connection.call_handed_over(parsed.message_id)
        if refused is not None:
            await self._refuse(parsed.message_id, refused, envelope.traceparent)
        elif isinstance(parsed, MalformedFrame):
            if parsed.message_type in _NEVER_ANSWERED:
                self._malformed_answer(parsed)
            else:
                await self._answer_malformed(parsed, envelope.traceparent)
        elif parsed.message_type in _ANSWERS:
            if pipe is None or not pipe.resolve(parsed):
                log.info(
                    "station %s: %s for message id %s answers no pending call; ignored",
                    connection.station_id,
                    parsed.message_type.name,
                    parsed.message_id,
                )
        elif parsed.message_type is MessageType.SEND:
            log.debug("station %s: SEND %s handed to its owner, not answered", connection.station_id, parsed.action)

    async def _answer_here(self, call: Envelope, frame: Frame, answer: str, received_at: int) -> None:
        """A CALL whose answer is a pure function of the frame: the CALL (marked with `edge_answers.REASON`, so it
        is not handed to its owner) and its answer are appended together, and the answer is sent only once both
        are durable; if the append fails, the CALL stays unanswered (the station sends it again)."""
        connection, context = self._connection, self._context
        call.reason = edge_answers.REASON
        reply = context.envelopes.outbound(
            connection, answer, MessageType.CALL_RESULT, frame.message_id, frame.action, call.traceparent
        )
        try:
            await context.frame_log.append_many([call, reply])
        except Exception:
            log.error(
                "station %s: frame %s not recorded, dropped unanswered",
                connection.station_id,
                frame.message_id,
                exc_info=True,
            )
            return
        await connection.socket.send(answer)
        metrics.count_frame(metrics.OUT, metrics.type_label(MessageType.CALL_RESULT), frame.action)
        metrics.observe_round_trip(frame.action, (context.envelopes.clock_ns() - received_at) / 1e9)

    async def _look_up_boot_status(self) -> None:
        """Restricts the connection by the status of the station's last boot; unrestricted when it cannot be read
        (device-model down: the owners of the station's CALLs still answer them)."""
        connection, statuses = self._connection, self._context.boot_statuses
        status = ""
        if statuses is not None:
            try:
                status = await statuses.last_status(connection.station_id)
            except BootStatusUnavailable as exc:
                log.warning(
                    "station %s: status of its last boot unknown (%s); connection %s is not restricted by it",
                    connection.station_id,
                    exc,
                    connection.connection_id,
                )
        connection.boot_status_found(status)

    def _malformed_answer(self, malformed: MalformedFrame) -> None:
        """A malformed answer (or SEND) is not answered: OCPP-J never answers a CALLRESULT/CALLERROR. The CSMS
        call it was meant to answer fails at once instead of timing out."""
        connection = self._connection
        assert malformed.message_type is not None
        log.warning(
            "station %s: malformed %s for message id %s not answered (%s)",
            connection.station_id,
            malformed.message_type.name,
            malformed.message_id,
            malformed.description,
        )
        metrics.MALFORMED_ANSWERS.inc()
        pipe = connection.outbound_if_any
        if pipe is not None and malformed.message_type in _ANSWERS:
            pipe.resolve(
                Frame(
                    MessageType.CALL_ERROR,
                    malformed.message_id,
                    error_code=code_for(malformed.kind, connection.version),
                    error_description=f"the station's answer is malformed: {malformed.description}",
                )
            )

    async def _answer_malformed(self, malformed: MalformedFrame, traceparent: str) -> None:
        connection = self._connection
        log.warning(
            "station %s: malformed frame (%s: %s)", connection.station_id, malformed.kind.value, malformed.description
        )
        code = code_for(malformed.kind, connection.version)
        await self._answer_error(malformed.message_id, code, malformed.description, traceparent)

    async def _refuse(self, message_id: str, why: str, traceparent: str) -> None:
        """A CALL the station may not send now (`edge.domain.boot_gate`): logged, not handed to its owner,
        answered SecurityError here."""
        log.info("station %s: CALL %s refused: %s", self._connection.station_id, message_id, why)
        metrics.REFUSED_CALLS.inc()
        await self._answer_error(message_id, boot_gate.SECURITY_ERROR, why, traceparent)

    async def _answer_error(self, message_id: str, code: str, description: str, traceparent: str) -> None:
        connection, context = self._connection, self._context
        answer = call_error_frame(message_id, code, description)
        envelope = context.envelopes.outbound(
            connection, answer, MessageType.CALL_ERROR, message_id, traceparent=traceparent
        )
        try:
            await context.frame_log.append(envelope)
        except Exception:
            log.error("station %s: CALLERROR not recorded, not sent", connection.station_id, exc_info=True)
            return
        await connection.socket.send(answer)
        metrics.count_frame(metrics.OUT, metrics.type_label(MessageType.CALL_ERROR), "")
