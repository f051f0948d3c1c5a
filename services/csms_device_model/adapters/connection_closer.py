"""Tells an edge node, through its delivery topic, to close a station connection that was replaced (the
`policies.close_replaced_connections.ConnectionCloser` port; network I/O only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiokafka import AIOKafkaProducer

from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import CloseOldConnection
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.kafka import envelope_headers


class KafkaConnectionCloser:
    def __init__(self, producer: AIOKafkaProducer, clock: Callable[[], datetime]) -> None:
        self._producer = producer
        self._clock = clock

    async def close(self, station_id: str, old: CloseOldConnection) -> None:
        envelope = envelope_pb2.Envelope(
            station_id=station_id,
            direction=envelope_pb2.DIRECTION_CSMS_TO_STATION,
            kind=envelope_pb2.KIND_CLOSE_CONNECTION,
            edge_node_id=old.edge_node_id,
            connection_id=old.connection_id,
            produced_at=timestamp(self._clock()),
            reason="replaced by a newer connection",
        )
        await self._producer.send_and_wait(
            topics.delivery(old.edge_node_id),
            envelope.SerializeToString(),
            key=station_id.encode(),
            headers=envelope_headers(envelope),
        )
