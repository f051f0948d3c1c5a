"""The Prometheus metrics of every process (default registry), Kafka consumer lag and the /metrics server.

Label values stay bounded: an action that is not in any OCPP version's schemas is counted as "other", so
stations cannot create series at will. Children of labelled metrics are cached per label tuple.
Side effects: `serve` starts an HTTP server thread.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Protocol
from wsgiref.simple_server import WSGIServer

from aiokafka import TopicPartition
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from csms_kernel.ocpp.framing import MessageType
from csms_kernel.ocpp.schemas import schema_names
from csms_kernel.ocpp.versions import OcppVersion

log = logging.getLogger(__name__)

OTHER = "other"
IN = "in"
OUT = "out"
MALFORMED = "malformed"

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

CONNECTIONS = Gauge("csms_edge_connections", "Open station connections on this edge node")
FRAMES = Counter(
    "csms_ocpp_frames",
    "OCPP frames read from (in) and written to (out) station sockets",
    ["direction", "type", "action"],
)
HANDSHAKE_REFUSALS = Counter(
    "csms_edge_handshake_refusals",
    "Station handshakes an edge node refused, by reason (docs/adr/0025)",
    ["reason"],
)
HANDSHAKE_REFUSAL_REASONS = frozenset(
    {
        "unknown_station",
        "wrong_password",
        "disabled",
        "profile_too_low",
        "bad_credentials",
        "client_certificate",
        "locked_out",
        "connection_limit",
        "registry_unavailable",
    }
)
CALL_ROUND_TRIP = Histogram(
    "csms_edge_call_round_trip_seconds",
    "A station's CALL read from its socket until the service's reply was written to it",
    ["action"],
    buckets=_LATENCY_BUCKETS,
)
HANDLER_DURATION = Histogram(
    "csms_handler_duration_seconds",
    "Answering one station CALL: validation, handler, response check",
    ["service", "action", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
HANDLER_TRANSACTION = Histogram(
    "csms_handler_transaction_seconds",
    "One call runner transaction: publishing a batch's replies and events with its consumer offsets, committed",
    ["service"],
    buckets=_LATENCY_BUCKETS,
)
PROJECTION_BATCH = Histogram(
    "csms_projection_batch_seconds",
    "Applying one batch of records to a read model",
    ["projection"],
    buckets=_LATENCY_BUCKETS,
)
PROJECTION_HALTED = Gauge(
    "csms_projection_halted", "1 while the projection is halted on a systematic error (see the log)", ["projection"]
)
COMPONENT_FAILING = Gauge(
    "csms_component_failing", "1 while the component cannot do its work; the process reports NOT_SERVING", ["component"]
)
MALFORMED_ANSWERS = Counter(
    "csms_edge_malformed_answers",
    "Malformed CALLRESULT/CALLERROR/CALLRESULTERROR/SEND frames from stations (logged and counted, never answered)",
)
REFUSED_CALLS = Counter(
    "csms_edge_refused_calls",
    "Station CALLs the edge answered SecurityError: sent while the station's boot was Pending or Rejected "
    "(docs/adr/0031)",
)
THROTTLED_SECONDS = Counter(
    "csms_edge_throttled_seconds",
    "Time station connections were not read because they were over their budget of frames or bytes per second",
)
CONSUMER_LAG = Gauge(
    "csms_kafka_consumer_lag",
    "Records between a consumer's position and the end of the partition (last stable offset when read_committed)",
    ["group", "topic", "partition"],
)


@functools.cache
def _ocpp_actions() -> frozenset[str]:
    """Every action of every supported version: the names of the schema files shipped in `ocpp`."""
    return frozenset().union(*(schema_names(version) for version in OcppVersion))


def action_label(action: str) -> str:
    return action if action in _ocpp_actions() else OTHER


_TYPE_LABELS: dict[MessageType | None, str] = {t: t.name.lower() for t in MessageType} | {None: MALFORMED}


def type_label(message_type: MessageType | None) -> str:
    """The frame type label: call, call_result, call_error, ... or malformed (a frame that could not be read)."""
    return _TYPE_LABELS[message_type]


@functools.cache
def _frames(direction: str, type_: str, action: str) -> Counter:
    return FRAMES.labels(direction, type_, action)


@functools.cache
def _round_trip(action: str) -> Histogram:
    return CALL_ROUND_TRIP.labels(action)


@functools.cache
def _handler(service: str, action: str, outcome: str) -> Histogram:
    return HANDLER_DURATION.labels(service, action, outcome)


def count_frame(direction: str, type_: str, action: str) -> None:
    _frames(direction, type_, action_label(action)).inc()


def count_handshake_refusal(reason: str) -> None:
    HANDSHAKE_REFUSALS.labels(reason if reason in HANDSHAKE_REFUSAL_REASONS else OTHER).inc()


def observe_round_trip(action: str, seconds: float) -> None:
    _round_trip(action_label(action)).observe(seconds)


def observe_handler(service: str, action: str, is_error: bool, seconds: float) -> None:
    _handler(service, action_label(action), "error" if is_error else "result").observe(seconds)


class LagSource(Protocol):
    """The parts of an AIOKafkaConsumer the lag is read from."""

    def assignment(self) -> set[TopicPartition]: ...

    def highwater(self, partition: TopicPartition) -> int | None: ...

    def last_stable_offset(self, partition: TopicPartition) -> int | None: ...

    async def position(self, partition: TopicPartition) -> int: ...


class ConsumerLag:
    """Publishes a consumer's lag per assigned partition; `update()` (called from the consume loop) does the
    work at most once per `interval_s`, and drops the series of partitions no longer assigned."""

    def __init__(
        self,
        consumer: LagSource,
        group: str,
        *,
        interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._consumer = consumer
        self._group = group
        self._interval_s = interval_s
        self._clock = clock
        self._due = 0.0
        self._published: set[TopicPartition] = set()

    async def update(self) -> None:
        now = self._clock()
        if now < self._due:
            return
        self._due = now + self._interval_s
        try:
            await self._update()
        except Exception:  # a rebalance may take a partition away mid-way; the next update catches up
            log.debug("consumer lag of %s not updated", self._group, exc_info=True)

    async def _update(self) -> None:
        assigned = self._consumer.assignment()
        for gone in self._published - assigned:
            CONSUMER_LAG.remove(self._group, gone.topic, str(gone.partition))
        self._published &= assigned
        for tp in assigned:
            end = self._consumer.last_stable_offset(tp)
            if end is None or end < 0:  # -1 when read_uncommitted
                end = self._consumer.highwater(tp)
            if end is None:  # nothing fetched yet, so no position either
                continue
            lag = max(0, end - await self._consumer.position(tp))
            CONSUMER_LAG.labels(self._group, tp.topic, str(tp.partition)).set(lag)
            self._published.add(tp)


def serve(port: int, host: str) -> WSGIServer:
    """Serves the default registry on http://`host`:`port`/metrics from a daemon thread."""
    server, _ = start_http_server(port, addr=host)
    log.info("metrics on %s port %d", host, port)
    return server
