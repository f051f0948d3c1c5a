"""This node's delivery topic: replies to its stations' CALLs and connection controls, in per-key order.

`DeliveryHandler` routes decoded records (pure apart from the sockets and the frame log it is given):
a FRAME goes to the station only if the station's current connection is the one the reply is addressed
to (otherwise the station reconnected and will retry the CALL); it is queued on that connection's send lane
(`edge.app.sending`: its own bounded queue and task, so a station that stops reading delays only itself and
is closed after `send_timeout_s`) and, once written, recorded in the frame log by `DeliveredRecorder`;
CLOSE_CONNECTION closes that connection if it is still current. A BootNotification answer sets, before it is
written, what the station may send next on that connection (`edge.domain.boot_gate`, docs/adr/0031).
`DeliveryConsumer` runs the Kafka loop
(group `edge.<node>.delivery`, read_committed) and commits a batch's offsets once its frames are in the lanes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from opentelemetry.trace import SpanKind

from csms.envelope.v1 import envelope_pb2
from csms_edge.app.connections import REPLACED_CODE, REPLACED_REASON, Connection, ConnectionTable
from csms_edge.app.sending import SendLane
from csms_edge.domain import boot_gate
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_edge.ports import FrameLog
from csms_kernel.infra import envelopes
from csms_kernel.infra.backoff import Backoff
from csms_kernel.infra.health import READINESS, Readiness
from csms_kernel.ocpp.framing import MessageType
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

# Frames that answer a station CALL (CALLRESULT_ERROR is never sent to a station: OCPP 2.1 sends it to the CSMS).
_ANSWERS = frozenset({MessageType.CALL_RESULT.value, MessageType.CALL_ERROR.value})

STALLED_CODE = 1011
READINESS_COMPONENT = "edge delivery"


def group_id(node_id: str) -> str:
    return f"edge.{node_id}.delivery"


class DeliveredRecorder:
    """Records the frames written to stations in the frame log, batched: one append in flight, the frames
    written meanwhile go with the next. A failed append is logged, not retried (the reply is durable in the
    delivery topic; only its copy in the frame log is missing). At most `max_pending` frames wait; beyond,
    their copies are dropped with an error (the frame log is down for long)."""

    def __init__(self, frame_log: FrameLog, max_pending: int = 10_000) -> None:
        self._frame_log = frame_log
        self._max_pending = max_pending
        self._pending: list[envelope_pb2.Envelope] = []
        self._task: asyncio.Task[None] | None = None
        self._dropped = 0

    def add(self, envelope: envelope_pb2.Envelope) -> None:
        if len(self._pending) >= self._max_pending:
            self._dropped += 1
            return
        self._pending.append(envelope)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def flush(self) -> None:
        """Returns once the frames added so far were appended (or their append failed)."""
        task = self._task
        if task is not None:
            await asyncio.wait([task])

    async def _run(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                if self._dropped:
                    log.error("%d delivered frames not recorded: too many waiting for the frame log", self._dropped)
                    self._dropped = 0
                try:
                    await self._frame_log.append_many(batch)
                except Exception:
                    log.error("%d delivered frames not recorded in the frame log", len(batch), exc_info=True)
        finally:
            self._task = None


class DeliveryHandler:
    def __init__(
        self,
        table: ConnectionTable,
        frame_log: FrameLog,
        envelopes: EnvelopeFactory,
        *,
        send_timeout_s: float,
        send_queue_size: int = 64,
    ) -> None:
        self._table = table
        self._envelopes = envelopes
        self._send_timeout_s = send_timeout_s
        self._send_queue_size = send_queue_size
        self._recorder = DeliveredRecorder(frame_log)

    def deliver(self, values: Sequence[bytes | None]) -> int:
        """Hands a batch to the connections' send lanes, in order, without waiting for any socket; returns how
        many frames were queued. A record that cannot be handled is logged and skipped, never the rest."""
        queued = 0
        for value in values:
            try:
                queued += self._route(value)
            except Exception:
                log.exception("delivery record not handled")
        return queued

    async def flush(self) -> None:
        """Waits until the queued frames are written (or dropped) and recorded (draining)."""
        await self._table.wait_sent()
        await self._recorder.flush()

    def _route(self, value: bytes | None) -> bool:
        envelope = _decode(value)
        if envelope is None:
            return False
        if envelope.kind == envelope_pb2.KIND_FRAME:
            return self._queue(envelope)
        if envelope.kind == envelope_pb2.KIND_CLOSE_CONNECTION:
            self._close(envelope)
        else:
            log.warning(
                "delivery record of kind %s for station %s ignored",
                envelope_pb2.Kind.Name(envelope.kind),
                envelope.station_id,
            )
        return False

    def _queue(self, envelope: envelope_pb2.Envelope) -> bool:
        connection = self._table.get(envelope.station_id)
        if connection is None or not envelope.connection_id or connection.connection_id != envelope.connection_id:
            log.debug(
                "reply %s for station %s connection %s dropped: connection not held here",
                envelope.message_id,
                envelope.station_id,
                envelope.connection_id,
            )
            return False
        try:
            text = envelope.frame.decode("utf-8")
        except UnicodeDecodeError:
            log.error("reply %s for station %s is not UTF-8; dropped", envelope.message_id, envelope.station_id)
            return False

        async def send() -> None:
            await self._send(connection, envelope, text)

        return connection.lane(lambda: self._lane(connection)).submit(send)

    def _lane(self, connection: Connection) -> SendLane:
        def failed(reason: str) -> None:
            log.warning(
                "station %s: %s; closing connection %s", connection.station_id, reason, connection.connection_id
            )
            self._table.close_in_background(connection, STALLED_CODE, "send stalled")

        return SendLane(self._send_queue_size, self._send_timeout_s, failed)

    async def _send(self, connection: Connection, envelope: envelope_pb2.Envelope, text: str) -> None:
        with tracing.ocpp_span(
            tracing.SEND,
            SpanKind.PRODUCER,
            envelope.station_id,
            envelope.action,
            envelope.message_id,
            connection.version.subprotocol,
            parent=envelope.traceparent,
        ):
            if (
                envelope.action == boot_gate.BOOT_NOTIFICATION
                and envelope.message_type == MessageType.CALL_RESULT.value
            ):
                connection.boot_answered(boot_gate.registration_status(text))
            await connection.socket.send(text)
        if envelope.message_type in _ANSWERS:
            connection.answered(envelope.message_id)
        metrics.count_frame(metrics.OUT, metrics.type_label(MessageType(envelope.message_type)), envelope.action)
        now_ns = self._envelopes.clock_ns()
        if envelope.HasField("received_at"):  # when the edge read the CALL this answers
            metrics.observe_round_trip(envelope.action, (now_ns - envelope.received_at.ToNanoseconds()) / 1e9)
        self._recorder.add(self._envelopes.delivered(envelope, now_ns))

    def _close(self, envelope: envelope_pb2.Envelope) -> None:
        connection = self._table.get(envelope.station_id)
        if connection is None or connection.connection_id != envelope.connection_id:
            log.debug("close of station %s connection %s: not held here", envelope.station_id, envelope.connection_id)
            return
        log.info("closing station %s connection %s on request", envelope.station_id, envelope.connection_id)
        self._table.close_in_background(connection, REPLACED_CODE, REPLACED_REASON)


def _decode(value: bytes | None) -> envelope_pb2.Envelope | None:
    envelope = envelopes.decode(value)
    if envelope is None:
        log.error("undecodable delivery record dropped")
        return None
    if envelope.direction != envelope_pb2.DIRECTION_CSMS_TO_STATION:
        log.warning("delivery record for station %s with direction %s dropped", envelope.station_id, envelope.direction)
        return None
    return envelope


class DeliveryConsumer:
    """The consume → hand to the send lanes → commit loop. Handing a batch to the lanes never waits for a
        socket, so one station that stops reading delays nobody else. A batch's offsets are committed once it is
        in the lanes, at most every `commit_interval_s`, by one commit at a time running beside the loop: after a
        crash the node re-reads at most that much, and every frame it re-reads is addressed to a connection that
        died with the node (so dropped), as is every frame still queued in a lane when it crashed. A failure of
        the loop keeps the batch in hand and handles it again after a capped, jittered backoff (never skipped); the
    node reports NOT_SERVING meanwhile.
        `stop()` lets the batch in hand finish and commits, then returns."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        handler: DeliveryHandler,
        group: str,
        poll_timeout_ms: int = 200,
        commit_interval_s: float = 1.0,
        backoff: Backoff | None = None,
        readiness: Readiness = READINESS,
    ) -> None:
        self._consumer = consumer
        self._handler = handler
        self._poll_timeout_ms = poll_timeout_ms
        self._commit_interval_s = commit_interval_s
        self._handed: dict[TopicPartition, int] = {}  # offsets handed to the lanes, not yet committed
        self._committed_at = time.monotonic()
        self._committing: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._lag = metrics.ConsumerLag(consumer, group)
        self._backoff = backoff or Backoff(initial_s=0.5, maximum_s=10.0)
        self._readiness = readiness

    def request_stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        in_hand: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = {}
        try:
            while not self._stopping.is_set():
                try:
                    in_hand = in_hand or await self._consumer.getmany(timeout_ms=self._poll_timeout_ms)
                    await self._lag.update()
                    if in_hand:
                        self._handle(in_hand)
                        in_hand = {}
                    self._commit_in_background()
                    if self._backoff.attempts:
                        self._backoff.reset()
                        self._readiness.ok(READINESS_COMPONENT)
                except Exception as exc:
                    delay = self._backoff.next()
                    self._readiness.failing(READINESS_COMPONENT, f"delivery fails: {exc!r}"[:300])
                    log.error(
                        "delivery consumer failed (%d records in hand); retrying in %.1f s",
                        sum(map(len, in_hand.values())),
                        delay,
                        exc_info=True,
                    )
                    try:
                        await asyncio.wait_for(self._stopping.wait(), delay)
                    except TimeoutError:
                        pass
        finally:
            if self._committing is not None:
                await asyncio.wait([self._committing])
            await self._commit(due_only=False)

    def _handle(self, batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        self._handler.deliver([record.value for records in batches.values() for record in records])
        self._handed.update({tp: records[-1].offset + 1 for tp, records in batches.items()})

    def _commit_in_background(self) -> None:
        if self._committing is None or self._committing.done():
            if self._handed and time.monotonic() - self._committed_at >= self._commit_interval_s:
                self._committing = asyncio.create_task(self._commit(due_only=True))

    async def _commit(self, *, due_only: bool) -> None:
        if not self._handed or (due_only and time.monotonic() - self._committed_at < self._commit_interval_s):
            return
        offsets, self._handed = self._handed, {}
        self._committed_at = time.monotonic()
        try:
            await self._consumer.commit(offsets)
        except Exception:
            # Handed to the lanes already; a later commit covers these offsets (a crash before it re-reads them).
            log.warning("delivery offsets not committed", exc_info=True)
            self._handed = offsets | self._handed
