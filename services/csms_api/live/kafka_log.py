"""The Kafka adapter of `LogReader`: an aiokafka consumer without a group (manual assignment, nothing committed),
`read_committed`, no automatic offset reset (an out-of-range position is reported, never silently moved).
Side effects: broker connections between `start` and `stop`; `partitions` opens a short-lived admin client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import OffsetOutOfRangeError

from csms_api.live.log import Fetched, PositionsLost
from csms_kernel.infra.client_security import KafkaSecurity
from csms_kernel.infra.kafka import make_admin


class KafkaLogReader:
    def __init__(self, bootstrap: str, client_id: str, *, gather_ms: int = 0, security: KafkaSecurity) -> None:
        """`gather_ms`: a fetch returns once 64 KiB are there or after `gather_ms`, so a steady flow of small
        records costs one fetch per `gather_ms` rather than one per record or two; 0: a fetch returns as soon
        as there is a record (and long-polls 500 ms when there is none)."""
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._security = security
        self._consumer = AIOKafkaConsumer(
            **security.aiokafka_options(),
            bootstrap_servers=bootstrap,
            group_id=None,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="none",
            isolation_level="read_committed",
            fetch_max_wait_ms=gather_ms or 500,
            fetch_min_bytes=64 * 1024 if gather_ms else 1,
            retry_backoff_ms=100,
        )

    async def start(self) -> None:
        await self._consumer.start()

    async def stop(self) -> None:
        await self._consumer.stop()

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]:
        """Topics that do not exist (yet) have no partitions."""
        admin = make_admin(self._bootstrap, f"{self._client_id}.metadata", security=self._security)
        await admin.start()
        try:
            described: list[dict[str, Any]] = await admin.describe_topics(list(topics))
        finally:
            await admin.close()
        found = {str(t["topic"]): t["partitions"] for t in described if t["error_code"] == 0}
        return [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(int(p["partition"]) for p in found.get(topic, ()))
        ]

    async def bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        if not partitions:
            return {}, {}
        first = await self._consumer.beginning_offsets(list(partitions))
        end = await self._consumer.end_offsets(list(partitions))  # last stable offsets: read_committed
        return dict(first), dict(end)

    def seek(self, positions: Mapping[TopicPartition, int]) -> None:
        self._consumer.assign(list(positions))
        for tp, offset in positions.items():
            self._consumer.seek(tp, offset)

    async def read(self, timeout_s: float, max_records: int) -> Fetched:
        try:
            records = await self._consumer.getmany(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        except OffsetOutOfRangeError as exc:
            lost = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            raise PositionsLost(list(lost) or list(self._consumer.assignment())) from exc
        positions = {tp: await self._consumer.position(tp) for tp in self._consumer.assignment()}
        return Fetched(records, positions)
