"""Duplicated frames (same message id): a CALL resent on the socket, and its envelope appended to the frame log
and its owner's call topic twice more (as a redelivering edge or producer retry would).

Must hold, for a 1.6, a 2.0.1 and a 2.1 station: every reply to one message id is identical to the first;
each duplicate is answered (the station gets one reply per copy); exactly one StationBooted and one
ConnectorStatusChanged per station; the projected station is unchanged apart from its last-seen time (a frame
is a sign of life, as OCPP has it). One instance of every service: a copy goes to the partition of its
station, whose one owner answers it with two instances as with one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaProducer

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_devtools.stack import StackConfig
from csms_edge.adapters.frame_log import owner_topic
from csms_kernel.infra import topics
from csms_kernel.ocpp.versions import OcppVersion
from kit.kafka_log import end_offsets, read_committed
from kit.stack import FaultInfra, MakeStack, get_stations
from kit.stations.raw import RawStation, boot_payload, close_all, connect_all, status_payload
from kit.waiting import eventually, probe

CALLS = {"b1": "BootNotification", "s1": "StatusNotification"}


async def test_duplicated_calls_get_the_same_answer_and_change_nothing(
    fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack(instances=1)
    bootstrap = fault_infra.infra.kafka_bootstrap
    frames_start = await end_offsets(bootstrap, topics.FRAMES)
    events_start = await end_offsets(bootstrap, topics.DEVICE_MODEL_EVENTS)
    prefix = stack.config.instance_prefix
    stations = [RawStation([stack.config.edge_url(0)], f"{prefix}dup-{v.name}", v) for v in OcppVersion]
    ids = [station.station_id for station in stations]
    frames = {
        station.station_id: {
            "b1": json.dumps([2, "b1", "BootNotification", boot_payload(station.version, "Twice", "T2")]),
            "s1": json.dumps([2, "s1", "StatusNotification", status_payload(station.version, "Faulted")]),
        }
        for station in stations
    }
    try:
        await connect_all(stations)
        for station in stations:
            for message_id, frame in frames[station.station_id].items():
                await station.call(
                    message_id, CALLS[message_id], json.loads(frame)[3], attempt_timeout_s=30, deadline_s=60
                )
        before = await eventually(
            lambda: snapshot(stack.config, ids),
            lambda rows: (
                len(rows) == len(ids)
                and all(len(row.connectors) == 1 and row.registration_status == "Accepted" for row in rows.values())
            ),
            what="the stations' boots and statuses projected",
        )

        for station in stations:  # the same CALL again on the socket
            for message_id, frame in frames[station.station_id].items():
                await station.send(frame, message_id)
        await eventually(replies_per_call(stations), lambda counts: counts == {2}, what="replies to the resent CALLs")
        calls = [
            value
            for value in await read_committed(bootstrap, frames_start)
            if _is_call(envelope_pb2.Envelope.FromString(value), ids)
        ]
        assert len(calls) == len(stations) * len(CALLS) * 2  # each CALL, sent and resent
        await append_twice(bootstrap, _first_copies(calls))
        await eventually(
            replies_per_call(stations), lambda counts: counts == {4}, what="replies to the appended copies"
        )

        for station in stations:
            for message_id in CALLS:
                replies = station.replies[message_id]
                assert replies[0][0] == 3 and all(reply == replies[0] for reply in replies), replies

        kinds: Counter[tuple[str, str, str]] = Counter()
        for value in await read_committed(bootstrap, events_start):
            event = device_model_pb2.DeviceModelEvent.FromString(value)
            if event.station_id in ids:
                kinds[(event.station_id, event.message_id, event.WhichOneof("event") or "")] += 1
        assert kinds == Counter(
            {key: 1 for sid in ids for key in ((sid, "b1", "station_booted"), (sid, "s1", "connector_status_changed"))}
        )
        after = await snapshot(stack.config, ids)
        assert after == before
    finally:
        await close_all(stations)


def replies_per_call(stations: list[RawStation]) -> Callable[[], Awaitable[set[int]]]:
    return probe(lambda: {len(station.replies[message_id]) for station in stations for message_id in CALLS})


def _is_call(envelope: envelope_pb2.Envelope, ids: list[str]) -> bool:
    return (
        envelope.station_id in ids
        and envelope.kind == envelope_pb2.KIND_FRAME
        and envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
    )


def _first_copies(values: list[bytes]) -> list[bytes]:
    """The first record of each (station, message id): the CALLs as the edge appended them first."""
    seen: dict[tuple[str, str], bytes] = {}
    for value in values:
        envelope = envelope_pb2.Envelope.FromString(value)
        seen.setdefault((envelope.station_id, envelope.message_id), value)
    return list(seen.values())


async def append_twice(bootstrap: str, values: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for value in values + values:
            envelope = envelope_pb2.Envelope.FromString(value)
            for topic in (topics.FRAMES, owner_topic(envelope)):
                assert topic is not None
                await producer.send_and_wait(topic, value, key=envelope.station_id.encode())
    finally:
        await producer.stop()


async def snapshot(config: StackConfig, ids: list[str]) -> dict[str, Any]:
    """The projected stations without their last-seen time."""
    stations = await get_stations(config, ids)
    for station in stations.values():
        station.ClearField("last_seen_at")
    return stations
