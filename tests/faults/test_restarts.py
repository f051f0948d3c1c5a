"""Kafka broker restart (clean, and hung for 60 s then killed), Cassandra restart, while 40 stations send
StatusNotifications back to back. A hung broker holds its connections open and answers nothing: the edge's appends
time out (30 s), the stations' keepalives time out and they reconnect while their old connections' appends are
still pending, then the broker is killed (an unclean restart).

Must hold, for either restart: every CALLRESULT a station received answers a CALL present in
`ocpp.frames.v1` (a frame that could not be appended is never acknowledged: the station retries it);
every acknowledged CALL has exactly one ConnectorStatusChanged event and no other event exists (nothing
lost, nothing doubled); the projection ends on each station's last acknowledged status; the replies to
one message id are identical; every process of the stack is the one started before the restart and
answers again afterwards (no service restarted).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest
from aiokafka import TopicPartition

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra import topics
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from csms_kernel.ocpp.versions import OcppVersion
from kit.kafka_log import end_offsets, read_committed, read_committed_records
from kit.stack import FaultInfra, MakeStack, get_stations
from kit.stations.raw import RawStation, StatusLoad, close_all, connect_all
from kit.waiting import eventually, probe

STATIONS = 40
HUNG_S = 60.0
VERSIONS = (OcppVersion.V16, OcppVersion.V201, OcppVersion.V21)


@pytest.mark.parametrize(
    ("service", "hang_s"),
    [("kafka", 0.0), ("cassandra", 0.0), ("kafka", HUNG_S)],
    ids=["kafka", "cassandra", "kafka-hung-then-killed"],
)
async def test_restart_under_load_loses_and_doubles_nothing(
    service: str, hang_s: float, fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack()
    bootstrap = fault_infra.infra.kafka_bootstrap
    processes = dict(stack.processes)
    frames_start = await end_offsets(bootstrap, topics.FRAMES)
    events_start = await end_offsets(bootstrap, topics.DEVICE_MODEL_EVENTS)
    calls_start = await end_offsets(bootstrap, topics.calls(DEVICE_MODEL))
    prefix = stack.config.instance_prefix
    stations = [
        RawStation(
            [stack.config.edge_url(0)],
            f"{prefix}{service}{'-hung' if hang_s else ''}-{i:02d}",
            VERSIONS[i % len(VERSIONS)],
        )
        for i in range(STATIONS)
    ]
    await connect_all(stations)
    load = StatusLoad(stations, pause_s=0.2)
    load.start()
    try:
        await eventually(probe(lambda: load.acked_since(0.0)), lambda n: n == STATIONS, what="the load to run")
        down_at = time.monotonic()
        await fault_infra.restart(service, kill=bool(hang_s), hang_s=hang_s)
        back_at = time.monotonic()
        await eventually(
            probe(lambda: load.acked_since(back_at)),
            lambda n: n == STATIONS,
            timeout_s=150,
            what=f"every station answered again after the {service} restart",
        )
    finally:
        await load.stop()
    acked = {
        (station_id, message_id): status for station_id, acks in load.acked.items() for message_id, status, _ in acks
    }
    slowest = max(at - down_at for acks in load.acked.values() for *_, at in acks if at > down_at)
    resent = sum(n - 1 for station in stations for n in station.sent.values())
    print(
        f"\n{service} {'hung, killed and ' if hang_s else ''}restart took {back_at - down_at:.1f} s;"
        f" {len(acked)} CALLs acknowledged, {resent} resends;"
        f" first answers after the restart began came within {slowest:.1f} s"
    )
    try:
        assert {name: process.poll() for name, process in stack.processes.items()} == dict.fromkeys(processes)
        assert stack.processes == processes

        logged = set()
        for value in await read_committed(bootstrap, frames_start):
            envelope = envelope_pb2.Envelope.FromString(value)
            if (
                envelope.kind == envelope_pb2.KIND_FRAME
                and envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
            ):
                logged.add((envelope.station_id, envelope.message_id))
        for station in stations:
            for message_id, replies in station.replies.items():
                assert (station.station_id, message_id) in logged, "a reply to a CALL that is not in the frame log"
                assert all(reply == [3, message_id, {}] for reply in replies), replies

        changed: Counter[tuple[str, str, str]] = Counter()
        found_at: dict[tuple[str, str], list[str]] = defaultdict(list)
        for record in await read_committed_records(bootstrap, events_start):
            event = device_model_pb2.DeviceModelEvent.FromString(record.value or b"")
            if event.station_id.startswith(prefix) and event.WhichOneof("event") == "connector_status_changed":
                changed[(event.station_id, event.message_id, event.connector_status_changed.status)] += 1
                found_at[(event.station_id, event.message_id)].append(f"{record.partition}:{record.offset}")
        expected = Counter({(sid, mid, status): 1 for (sid, mid), status in acked.items()})
        if changed != expected:
            wrong = {(sid, mid) for sid, mid, _ in set(changed) ^ set(expected)}
            wrong |= {(sid, mid) for (sid, mid, status), n in changed.items() if n != expected[(sid, mid, status)]}
            pytest.fail(await _explain(bootstrap, calls_start, sorted(wrong), found_at, acked))

        last = {station_id: acks[-1][1] for station_id, acks in load.acked.items()}

        async def projected() -> dict[str, str]:
            found = await get_stations(stack.config, list(last))
            return {sid: st.connectors[0].status for sid, st in found.items() if len(st.connectors) == 1}

        await eventually(projected, lambda statuses: statuses == last, timeout_s=60, what="last statuses projected")
    finally:
        await close_all(stations)


async def _explain(
    bootstrap: str,
    calls_start: dict[TopicPartition, int],
    wrong: list[tuple[str, str]],
    found_at: dict[tuple[str, str], list[str]],
    acked: dict[tuple[str, str], str],
) -> str:
    """For each CALL whose events are wrong: where its events are, and every copy of it in device-model's call
    topic (position, connection, repeat marks), so a failure shows whether one record was handled twice or two."""
    copies: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in await read_committed_records(bootstrap, calls_start):
        envelope = envelope_pb2.Envelope.FromString(record.value or b"")
        if (envelope.station_id, envelope.message_id) in found_at or (
            envelope.station_id,
            envelope.message_id,
        ) in acked:
            copies[(envelope.station_id, envelope.message_id)].append(
                f"{record.partition}:{record.offset} connection {envelope.connection_id[:8]}"
                f" repeat={envelope.repeat} repeat_of={envelope.repeat_of_connection_id[:8]}"
            )
    lines = [f"{len(wrong)} CALLs with missing or extra ConnectorStatusChanged events:"]
    for key in wrong:
        lines.append(
            f"  {key}: acked {acked.get(key)!r}; events at {found_at.get(key, [])};"
            f" call-topic copies {copies.get(key, [])}"
        )
    return "\n".join(lines)
