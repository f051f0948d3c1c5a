"""This node's delivery topic: replies to its stations' CALLs and connection controls, in per-key order.

`DeliveryHandler` routes decoded records (pure apart from the sockets and the frame log it is given):
a FRAME goes to the station only if the station's current connection is the one the reply is addressed
to (otherwise the station reconnected and will retry the CALL), and is then recorded in the frame log;
CLOSE_CONNECTION closes that connection if it is still current. `DeliveryConsumer` runs the Kafka loop
(group `edge.<node>.delivery`, read_committed) and commits a batch's offsets after its frames were
delivered and recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from opentelemetry.trace import SpanKind
from websockets.exceptions import ConnectionClosed

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.frame_log import FrameLog
from csms_edge.app.connections import REPLACED_CODE, REPLACED_REASON, ConnectionTable
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_kernel.infra import envelopes
from csms_kernel.infra.prefetch import Prefetcher
from csms_kernel.ocpp.framing import MessageType
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

STALLED_CODE = 1011


def group_id(node_id: str) -> str:
    return f"edge.{node_id}.delivery"


class DeliveryHandler:
    def __init__(
        self, table: ConnectionTable, frame_log: FrameLog, envelopes: EnvelopeFactory, *, send_timeout_s: float
    ) -> None:
        self._table = table
        self._frame_log = frame_log
        self._envelopes = envelopes
        self._send_timeout_s = send_timeout_s

    async def deliver(self, values: Sequence[bytes | None]) -> list[envelope_pb2.Envelope]:
        """Delivers a batch in order; returns the records of the frames written to sockets."""
        delivered: list[envelope_pb2.Envelope] = []
        for value in values:
            envelope = _decode(value)
            if envelope is None:
                continue
            if envelope.kind == envelope_pb2.KIND_FRAME:
                if await self._deliver(envelope):
                    delivered.append(self._envelopes.delivered(envelope, self._envelopes.clock_ns()))
            elif envelope.kind == envelope_pb2.KIND_CLOSE_CONNECTION:
                self._close(envelope)
            else:
                log.warning(
                    "delivery record of kind %s for station %s ignored",
                    envelope_pb2.Kind.Name(envelope.kind),
                    envelope.station_id,
                )
        return delivered

    async def record(self, delivered: Sequence[envelope_pb2.Envelope]) -> None:
        """Records delivered frames in the frame log; a failure is logged, not raised."""
        if not delivered:
            return
        try:
            await self._frame_log.append_many(delivered)
        except Exception:
            # The reply is durable in the delivery topic; only its copy in the frame log is missing.
            log.error("%d delivered frames not recorded in the frame log", len(delivered), exc_info=True)

    async def _deliver(self, envelope: envelope_pb2.Envelope) -> bool:
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
        try:
            with tracing.ocpp_span(
                tracing.SEND,
                SpanKind.PRODUCER,
                envelope.station_id,
                envelope.action,
                envelope.message_id,
                connection.version.subprotocol,
                parent=envelope.traceparent,
            ):
                async with asyncio.timeout(self._send_timeout_s):
                    await connection.socket.send(text)
        except ConnectionClosed:
            log.debug("reply %s: station %s disconnected meanwhile", envelope.message_id, envelope.station_id)
            return False
        except TimeoutError:
            log.warning(
                "station %s: send stalled for %g s; closing connection %s",
                envelope.station_id,
                self._send_timeout_s,
                connection.connection_id,
            )
            self._table.close_in_background(connection, STALLED_CODE, "send stalled")
            return False
        metrics.count_frame(metrics.OUT, metrics.type_label(MessageType(envelope.message_type)), envelope.action)
        if envelope.HasField("received_at"):  # when the edge read the CALL this answers
            round_trip_ns = self._envelopes.clock_ns() - envelope.received_at.ToNanoseconds()
            metrics.observe_round_trip(envelope.action, round_trip_ns / 1e9)
        return True

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
    """The consume → deliver → record → commit loop. Delivery never waits for the recording and the offset
    commit of earlier batches: those run behind it, one batch after the other (at most `max_behind` batches
    behind). Offsets of recorded batches are committed at most every `commit_interval_s`: after a crash the
    node re-reads at most that much, replies addressed to connections that died with it (so dropped).
    `stop()` lets the batch in hand finish and its bookkeeping complete, then returns."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        handler: DeliveryHandler,
        group: str,
        poll_timeout_ms: int = 200,
        max_behind: int = 4,
        commit_interval_s: float = 1.0,
    ) -> None:
        self._consumer = consumer
        self._handler = handler
        self._poll_timeout_ms = poll_timeout_ms
        self._max_behind = max_behind
        self._behind: deque[asyncio.Task[None]] = deque()
        self._commit_interval_s = commit_interval_s
        self._recorded: dict[TopicPartition, int] = {}  # offsets recorded, not yet committed
        self._committed_at = time.monotonic()
        self._stopping = asyncio.Event()
        self._lag = metrics.ConsumerLag(consumer, group)

    def request_stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        prefetched = Prefetcher(self._consumer, poll_timeout_ms=self._poll_timeout_ms)  # fetching goes on meanwhile
        try:
            while not self._stopping.is_set():
                try:
                    batches = prefetched.take() or await self._consumer.getmany(timeout_ms=self._poll_timeout_ms)
                    await self._lag.update()
                    if batches:
                        await prefetched.during(self._handle(batches))
                    elif not self._behind:
                        await self._commit(due_only=True)
                except Exception:
                    log.error("delivery consumer failed; retrying in 1 s", exc_info=True)
                    try:
                        await asyncio.wait_for(self._stopping.wait(), 1.0)
                    except TimeoutError:
                        pass
        finally:
            while self._behind:
                await self._behind.popleft()
            await self._commit(due_only=False)

    async def _handle(self, batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        delivered = await self._handler.deliver([record.value for records in batches.values() for record in records])
        offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
        previous = self._behind[-1] if self._behind else None
        self._behind.append(asyncio.create_task(self._record_and_commit(previous, delivered, offsets)))
        while self._behind and (len(self._behind) > self._max_behind or self._behind[0].done()):
            await self._behind.popleft()

    async def _record_and_commit(
        self,
        previous: asyncio.Task[None] | None,
        delivered: list[envelope_pb2.Envelope],
        offsets: dict[TopicPartition, int],
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is handled by its own awaiter
        await self._handler.record(delivered)
        self._recorded.update(offsets)
        await self._commit(due_only=True)

    async def _commit(self, *, due_only: bool) -> None:
        if not self._recorded or (due_only and time.monotonic() - self._committed_at < self._commit_interval_s):
            return
        offsets, self._recorded = self._recorded, {}
        self._committed_at = time.monotonic()
        try:
            await self._consumer.commit(offsets)
        except Exception:
            # Delivered already; a later commit covers these offsets (a crash before it redelivers them).
            log.warning("delivery offsets not committed", exc_info=True)
            self._recorded = offsets | self._recorded
