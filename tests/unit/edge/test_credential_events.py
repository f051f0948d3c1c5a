"""The edge's reader of station credential changes, over a fake Kafka consumer: it follows every partition from
its end, decodes the events and applies them; bad records are dropped, a missing topic stops the start."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import UnknownTopicOrPartitionError

from csms.authorization.v1 import authorization_pb2 as pb
from csms_edge.adapters.credential_events import CredentialEventsConsumer, TopicMissing, decode
from csms_edge.domain.credential_changes import CredentialChange, CredentialsChanged
from csms_kernel.infra import topics


@dataclass
class Record:
    value: bytes | None


@dataclass
class FakeConsumer:
    """A consumer subscribed to the topic without a group: started, it is assigned every partition of the
    topic (None: the topic does not exist); `batches` are handed out by `getmany`."""

    partitions: set[int] | None = field(default_factory=lambda: {2, 0, 1})
    batches: asyncio.Queue[dict[TopicPartition, list[Record]]] = field(default_factory=asyncio.Queue)
    calls: list[Any] = field(default_factory=list)

    async def start(self) -> None:
        self.calls.append("start")
        if self.partitions is None:
            raise UnknownTopicOrPartitionError()

    async def stop(self) -> None:
        self.calls.append("stop")

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(topics.STATION_CREDENTIALS, p) for p in self.partitions or ()}

    async def seek_to_end(self, *partitions: TopicPartition) -> bool:
        self.calls.append(("seek_to_end", list(partitions)))
        return True

    async def position(self, partition: TopicPartition) -> int:
        self.calls.append(("position", partition))
        return 42

    async def getmany(self, timeout_ms: int = 0) -> dict[TopicPartition, list[Record]]:
        return await self.batches.get()


def event(station_id: str, *changes: pb.StationChange.ValueType) -> bytes:
    return pb.StationCredentialsChanged(station_id=station_id, revision=1, changes=changes).SerializeToString()


TPS = [TopicPartition(topics.STATION_CREDENTIALS, p) for p in (0, 1, 2)]


async def test_it_starts_at_the_end_of_every_partition() -> None:
    consumer = FakeConsumer()
    await CredentialEventsConsumer(consumer, lambda e: None).start()  # type: ignore[arg-type]
    assert consumer.calls == ["start", ("seek_to_end", TPS), *(("position", tp) for tp in TPS)]


async def test_a_missing_topic_stops_the_start() -> None:
    consumer = FakeConsumer(partitions=None)
    with pytest.raises(TopicMissing, match="run `csms migrate`"):
        await CredentialEventsConsumer(consumer, lambda e: None).start()  # type: ignore[arg-type]
    assert consumer.calls == ["start", "stop"]


async def test_events_are_applied_in_order_and_bad_records_dropped() -> None:
    consumer, applied = FakeConsumer(), asyncio.Queue[CredentialsChanged]()

    def apply(change: CredentialsChanged) -> None:
        if change.station_id == "CS-boom":
            raise RuntimeError("a bug")
        applied.put_nowait(change)

    reader = CredentialEventsConsumer(consumer, apply)  # type: ignore[arg-type]
    consumer.batches.put_nowait(
        {
            TPS[0]: [
                Record(event("CS-1", pb.STATION_CHANGE_DISABLED)),
                Record(b"\xff\xff garbage"),
                Record(event("CS-boom", pb.STATION_CHANGE_DELETED)),
            ],
            TPS[2]: [Record(event("CS-2", pb.STATION_CHANGE_PASSWORD_CHANGED, pb.STATION_CHANGE_ENABLED))],
        }
    )
    task = asyncio.create_task(reader.run())
    try:
        first = await asyncio.wait_for(applied.get(), 5)
        second = await asyncio.wait_for(applied.get(), 5)
    finally:
        task.cancel()
    assert first == CredentialsChanged("CS-1", frozenset({CredentialChange.DISABLED}))
    assert second == CredentialsChanged(
        "CS-2", frozenset({CredentialChange.PASSWORD_CHANGED, CredentialChange.ENABLED})
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (event("CS-1", pb.STATION_CHANGE_DELETED), CredentialsChanged("CS-1", frozenset({CredentialChange.DELETED}))),
        (
            event("CS-1", pb.STATION_CHANGE_PASSWORD_ROTATED, pb.STATION_CHANGE_SECURITY_PROFILE_UPGRADED),
            CredentialsChanged(
                "CS-1", frozenset({CredentialChange.PASSWORD_ROTATED, CredentialChange.SECURITY_PROFILE_UPGRADED})
            ),
        ),
        (
            event("CS-1", pb.STATION_CHANGE_PENDING_CREDENTIALS_CHANGED),
            CredentialsChanged("CS-1", frozenset({CredentialChange.PENDING_CREDENTIALS_CHANGED})),
        ),
        (event("CS-1", 99), CredentialsChanged("CS-1", frozenset())),  # a change kind from a newer contract
        (event(""), None),
        (b"\xff\xff", None),
        (None, None),
    ],
)
def test_decoding(value: bytes | None, expected: CredentialsChanged | None) -> None:
    assert decode(value) == expected
