"""Kafka client factories: long-lived idempotent producers (acks=all) and manually committed consumers;
librdkafka (confluent-kafka) settings with the same guarantees, and for the call runners' transactional
consumer and producer. Every factory takes the process's `KafkaSecurity` (SASL/TLS; `CommonSettings.kafka_security`,
default plaintext for the local broker)."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from google.protobuf.descriptor import EnumDescriptor

from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra.client_security import PLAINTEXT, KafkaSecurity

Headers = list[tuple[str, bytes]]

# The largest record the producers send (topology.toml gives the topics of station frames the same
# `max.message.bytes`): a station frame of up to CSMS_EDGE_MAX_FRAME_BYTES (1 MiB by default) in its envelope.
MAX_RECORD_BYTES = 4 * 1024 * 1024

# librdkafka's producer queue, capped (security review #16): 30 s of an outage at the edge's peak append rate.
QUEUE_MAX_KBYTES = 64 * 1024
QUEUE_MAX_MESSAGES = 100_000


def make_producer(
    bootstrap: str, client_id: str, transactional_id: str | None = None, *, security: KafkaSecurity = PLAINTEXT
) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **security.aiokafka_options(),
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=256 * 1024,
        transactional_id=transactional_id,
        max_request_size=MAX_RECORD_BYTES,
        request_timeout_ms=30000,
        # aiokafka's 100 ms default back-off is paid between back-to-back transactions (KAFKA-5477).
        retry_backoff_ms=10,
    )


def make_consumer(
    bootstrap: str,
    group_id: str | None,
    client_id: str,
    *topics: str,
    read_committed: bool = True,
    gather_ms: int | None = None,
    offset_reset: str = "earliest",
    security: KafkaSecurity = PLAINTEXT,
) -> AIOKafkaConsumer:
    """`gather_ms`: for consumers that may lag (projections): a fetch returns once 64 KiB are there or after
    `gather_ms`, so a steady trickle of records costs one fetch per `gather_ms` instead of one per record or
    two (Kafka requests dominated the CPU of the services and the broker; README "Performance"). Without it
    a fetch returns as soon as there is a record. `offset_reset`: where a consumer without a valid position
    starts ("latest" for readers that only follow what happens from now on)."""
    return AIOKafkaConsumer(
        *topics,
        **security.aiokafka_options(),
        bootstrap_servers=bootstrap,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset=offset_reset,
        isolation_level="read_committed" if read_committed else "read_uncommitted",
        # Without gathering the broker answers a fetch as soon as there is a record (also a committed
        # transaction's), so this bounds only the empty long-poll: 5 ms cost an idle consumer 7 % of a core
        # (loadtest/bench_kafka.py).
        fetch_max_wait_ms=500 if gather_ms is None else gather_ms,
        fetch_min_bytes=1 if gather_ms is None else 64 * 1024,
        max_poll_records=500,
        retry_backoff_ms=10,
    )


def make_admin(bootstrap: str, client_id: str, *, security: KafkaSecurity = PLAINTEXT) -> AIOKafkaAdminClient:
    """An admin client (topic metadata, creation, configs), started and closed by the caller."""
    return AIOKafkaAdminClient(**security.aiokafka_options(), bootstrap_servers=bootstrap, client_id=client_id)


def librdkafka_producer_config(
    bootstrap: str, client_id: str, *, security: KafkaSecurity = PLAINTEXT
) -> dict[str, Any]:
    """Settings of a librdkafka producer with `make_producer`'s guarantees: acks=all and idempotence (per
    partition order survives retries). Keys go to partitions by murmur2 like the Java client and aiokafka,
    so a station's records land on one partition whichever client wrote them. A record not acknowledged
    within 30 s fails, as an aiokafka batch does after its request timeout."""
    return {
        **security.librdkafka_options(),
        "bootstrap.servers": bootstrap,
        "client.id": client_id,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "batch.size": 256 * 1024,
        "partitioner": "murmur2_random",
        "message.timeout.ms": 30_000,
        "queue.buffering.max.kbytes": QUEUE_MAX_KBYTES,
        "queue.buffering.max.messages": QUEUE_MAX_MESSAGES,
        "message.max.bytes": MAX_RECORD_BYTES,
        "socket.nagle.disable": True,
        # librdkafka backs off up to 10 s between reconnects by default: a restarted broker would idle appends.
        "reconnect.backoff.max.ms": 1000,
    }


def librdkafka_transactional_config(
    bootstrap: str, client_id: str, transactional_id: str, *, security: KafkaSecurity = PLAINTEXT
) -> dict[str, Any]:
    """`librdkafka_producer_config` with a transactional id: records are visible to `read_committed` readers
    only once their transaction commits. Its queue keeps librdkafka's 1 GiB default: a call runner holds one
    batch's records at a time (at most 5,000 CALLs' replies and events), so nothing accumulates during an
    outage, and a lower cap could refuse a batch of large events on every retry."""
    return {
        **librdkafka_producer_config(bootstrap, client_id, security=security),
        "transactional.id": transactional_id,
        "queue.buffering.max.kbytes": 1024 * 1024,
        # The coordinator answers CONCURRENT_TRANSACTIONS to a transaction's first AddPartitions/AddOffsets while
        # the previous commit's markers are still being written (a few ms); librdkafka then retries after
        # retry.backoff.ms, 100 ms by default, which made a transaction take ~100 ms (the Java client uses 20 ms).
        # The backoff still doubles on every retry up to retry.backoff.max.ms (1 s).
        "retry.backoff.ms": 5,
    }


def librdkafka_consumer_config(
    bootstrap: str,
    group_id: str,
    client_id: str,
    *,
    gather_ms: int | None = None,
    security: KafkaSecurity = PLAINTEXT,
) -> dict[str, Any]:
    """Settings of a librdkafka group consumer with `make_consumer`'s behaviour: `read_committed`, offsets
    committed only by the application (in its transactions), the earliest offset without a committed one,
    aiokafka's round-robin assignment, session timeout and heartbeat, and `gather_ms` as in `make_consumer`.
    librdkafka keeps fetching into its own queue while the application handles and commits a batch."""
    return {
        **security.librdkafka_options(),
        "bootstrap.servers": bootstrap,
        "group.id": group_id,
        "client.id": client_id,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "partition.assignment.strategy": "roundrobin",
        "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 3_000,
        "fetch.wait.max.ms": 500 if gather_ms is None else gather_ms,
        "fetch.min.bytes": 1 if gather_ms is None else 64 * 1024,
        # At most this much fetched ahead of the application (librdkafka's default is 64 MiB).
        "queued.max.messages.kbytes": 16 * 1024,
        "socket.nagle.disable": True,
        "reconnect.backoff.max.ms": 1000,
    }


def _names(enum: EnumDescriptor) -> dict[int, bytes]:
    return {value.number: value.name.encode() for value in enum.values}


# Enum names as header values, looked up per record (EnumTypeWrapper.Name costs a microsecond each).
_VERSION_NAMES = _names(envelope_pb2.OcppVersion.DESCRIPTOR)
_DIRECTION_NAMES = _names(envelope_pb2.Direction.DESCRIPTOR)
_KIND_NAMES = _names(envelope_pb2.Kind.DESCRIPTOR)
_MESSAGE_TYPE_NAMES = _names(envelope_pb2.MessageType.DESCRIPTOR)


def envelope_headers(envelope: envelope_pb2.Envelope) -> Headers:
    """Routing fields mirrored in Kafka headers, so consumers can filter without decoding."""
    headers: Headers = [
        ("station_id", envelope.station_id.encode()),
        ("tenant", envelope.tenant.encode()),
        ("ocpp_version", _VERSION_NAMES[envelope.ocpp_version]),
        ("direction", _DIRECTION_NAMES[envelope.direction]),
        ("kind", _KIND_NAMES[envelope.kind]),
        ("message_type", _MESSAGE_TYPE_NAMES[envelope.message_type]),
        ("action", envelope.action.encode()),
    ]
    if envelope.traceparent:
        headers.append(("traceparent", envelope.traceparent.encode()))
    return headers
