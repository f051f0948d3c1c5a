"""The exactly-once assertions of the fault tests, for stations under a `StatusLoad` (issue 9).

`LogStart.now` marks the ends of the logs before the fault; `assert_exactly_once` then checks, for the load's
stations: every CALL sent once and answered once on its socket; every acknowledged CALL in the frame log
once; one committed reply per (station, message id) on the delivery topics and one ConnectorStatusChanged
event, both read with read_committed; and the stations projection equal to a replay of the committed events,
which ends on each station's last acknowledged status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import TopicPartition

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_devtools.stack import StackConfig
from csms_kernel.infra import topics
from kit.kafka_log import end_offsets, read_committed
from kit.stack import get_stations
from kit.stations.raw import StatusLoad
from kit.waiting import eventually

Key = tuple[str, str]  # (station id, message id)


@dataclass(frozen=True)
class LogStart:
    frames: dict[TopicPartition, int]
    events: dict[TopicPartition, int]
    deliveries: dict[TopicPartition, int]

    @classmethod
    async def now(cls, bootstrap: str, edge_node_ids: Sequence[str]) -> LogStart:
        deliveries: dict[TopicPartition, int] = {}
        for node in edge_node_ids:
            deliveries |= await end_offsets(bootstrap, topics.delivery(node))
        return cls(
            await end_offsets(bootstrap, topics.FRAMES),
            await end_offsets(bootstrap, topics.DEVICE_MODEL_EVENTS),
            deliveries,
        )


async def assert_exactly_once(bootstrap: str, start: LogStart, load: StatusLoad, stack: StackConfig) -> int:
    """Checks every property above; returns the number of acknowledged CALLs."""
    ids = {station.station_id for station in load.stations}
    acked = {(sid, message_id): status for sid, acks in load.acked.items() for message_id, status, _ in acks}

    for station in load.stations:
        sent_twice = {message_id: n for message_id, n in station.sent.items() if n != 1}
        assert not sent_twice, f"{station.station_id} sent CALLs more than once: {sent_twice}"
        answers = {message_id: replies for message_id, replies in station.replies.items() if len(replies) != 1}
        assert not answers, f"{station.station_id} got other than one answer: {answers}"
        for message_id, (reply,) in station.replies.items():
            assert reply == [3, message_id, {}], reply
    assert set(acked) == {(s.station_id, message_id) for s in load.stations for message_id in s.replies}

    logged: Counter[Key] = Counter()
    for value in await read_committed(bootstrap, start.frames):
        envelope = envelope_pb2.Envelope.FromString(value)
        if (
            envelope.station_id in ids
            and envelope.kind == envelope_pb2.KIND_FRAME
            and envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
            and envelope.message_type == envelope_pb2.MESSAGE_TYPE_CALL
        ):
            logged[(envelope.station_id, envelope.message_id)] += 1
    assert logged == Counter(dict.fromkeys(acked, 1)), "the frame log does not hold each CALL once"

    replies: Counter[Key] = Counter()
    for value in await read_committed(bootstrap, start.deliveries):
        envelope = envelope_pb2.Envelope.FromString(value)
        if envelope.station_id in ids and envelope.message_type == envelope_pb2.MESSAGE_TYPE_CALL_RESULT:
            replies[(envelope.station_id, envelope.message_id)] += 1
    doubled = {key: n for key, n in replies.items() if n != 1}
    assert not doubled, f"committed replies not exactly once: {doubled}"
    assert set(replies) == set(acked)

    changed: Counter[tuple[str, str, str]] = Counter()
    replayed: dict[str, str] = {}  # events are keyed by station id: one partition, in order
    for value in await read_committed(bootstrap, start.events):
        event = device_model_pb2.DeviceModelEvent.FromString(value)
        if event.station_id in ids and event.WhichOneof("event") == "connector_status_changed":
            changed[(event.station_id, event.message_id, event.connector_status_changed.status)] += 1
            replayed[event.station_id] = event.connector_status_changed.status
    doubled_events = {key: n for key, n in changed.items() if n != 1}
    assert not doubled_events, f"events not exactly once: {doubled_events}"
    assert changed == Counter({(sid, message_id, status): 1 for (sid, message_id), status in acked.items()})

    last = {sid: acks[-1][1] for sid, acks in load.acked.items() if acks}
    assert replayed == last

    async def projected() -> dict[str, str]:
        found = await get_stations(stack, list(last))
        return {sid: st.connectors[0].status for sid, st in found.items() if len(st.connectors) == 1}

    await eventually(projected, lambda statuses: statuses == replayed, timeout_s=60, what="projection = replay")
    return len(acked)
