"""This node's delivery topic: replies to its stations' CALLs and connection controls, in per-key order.

`DeliveryHandler` routes decoded records (pure apart from the sockets and the frame log it is given):
a FRAME goes to the station only if the station's current connection is the one the reply is addressed
to (otherwise the station reconnected and will retry the CALL), and is then recorded in the frame log;
CLOSE_CONNECTION closes that connection if it is still current. `DeliveryConsumer` runs the Kafka loop
(group `edge.<node>.delivery`, read_committed) and commits offsets after a batch was handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from google.protobuf.message import DecodeError
from opentelemetry.trace import SpanKind
from websockets.exceptions import ConnectionClosed

from csms.envelope.v1 import envelope_pb2
from csms.prefetch import Prefetcher
from csms.runtime.framing import MessageType
from csms.telemetry import metrics, tracing
from edge.connections import REPLACED_CODE, REPLACED_REASON, ConnectionTable
from edge.envelopes import EnvelopeFactory
from edge.frame_log import FrameLog

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

    async def handle(self, values: Sequence[bytes | None]) -> None:
        """Delivers a batch in order, then records the delivered frames in the frame log."""
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
        if delivered:
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
    if value is None:
        return None
    envelope = envelope_pb2.Envelope()
    try:
        envelope.ParseFromString(value)
    except DecodeError:
        log.error("undecodable delivery record dropped")
        return None
    if envelope.direction != envelope_pb2.DIRECTION_CSMS_TO_STATION:
        log.warning("delivery record for station %s with direction %s dropped", envelope.station_id, envelope.direction)
        return None
    return envelope


class DeliveryConsumer:
    """The consume → deliver → commit loop. `stop()` lets the batch in hand finish, then returns."""

    def __init__(
        self, consumer: AIOKafkaConsumer, handler: DeliveryHandler, group: str, poll_timeout_ms: int = 200
    ) -> None:
        self._consumer = consumer
        self._handler = handler
        self._poll_timeout_ms = poll_timeout_ms
        self._stopping = asyncio.Event()
        self._lag = metrics.ConsumerLag(consumer, group)

    def request_stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        prefetched = Prefetcher(self._consumer, poll_timeout_ms=self._poll_timeout_ms)  # fetching goes on meanwhile
        while not self._stopping.is_set():
            try:
                batches = prefetched.take() or await self._consumer.getmany(timeout_ms=self._poll_timeout_ms)
                await self._lag.update()
                if batches:
                    await prefetched.during(self._handle(batches))
            except Exception:
                log.error("delivery consumer failed; retrying in 1 s", exc_info=True)
                try:
                    await asyncio.wait_for(self._stopping.wait(), 1.0)
                except TimeoutError:
                    pass

    async def _handle(self, batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        for records in batches.values():
            await self._handler.handle([record.value for record in records])
        await self._consumer.commit({tp: records[-1].offset + 1 for tp, records in batches.items()})
