"""Kafka broker restart (clean, and hung for 60 s then killed), Cassandra restart, and kill -9 of one of two edge
nodes, while 40 stations send StatusNotifications back to back. A hung broker holds its connections open and answers
nothing: the edge's appends time out (30 s), the stations' keepalives time out and they reconnect while their old
connections' appends are still pending, then the broker is killed (an unclean restart). The stations of a killed edge
node reconnect to the other one and send the CALL in hand again.

Must hold, for every fault: every CALLRESULT a station received answers a CALL present in
`ocpp.frames.v1` (a frame that could not be appended is never acknowledged: the station retries it);
every acknowledged CALL has exactly one ConnectorStatusChanged event and no other event exists (nothing
lost, nothing doubled); the projection ends on each station's last acknowledged status; the replies to
one message id are identical; every process of the stack is the one started before the fault and
answers again afterwards (no service restarted; the killed edge node gone).
"""

from __future__ import annotations

import signal
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable

import pytest
from aiokafka import TopicPartition

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_devtools.stack import Stack
from csms_kernel.infra import topics
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from csms_kernel.ocpp.versions import OcppVersion
from kit.kafka_log import end_offsets, read_committed, read_committed_records
from kit.stack import FaultInfra, MakeStack, get_stations
from kit.stations.raw import RawStation, StatusLoad, close_all, connect_all
from kit.waiting import eventually, probe, wait_until

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

    async def restart(_: list[RawStation]) -> None:
        await fault_infra.restart(service, kill=bool(hang_s), hang_s=hang_s)

    hung = "-hung" if hang_s else ""
    what = f"{service} {'hung, killed and ' if hang_s else ''}restart"
    await _exactly_once_through(stack, fault_infra, [stack.config.edge_url(0)], f"{service}{hung}", what, restart)


async def test_sigkill_of_an_edge_node_under_load_loses_and_doubles_nothing(
    fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    """The stations move to the other node and send the CALL in hand again there: the owner tells it by the
    station's latest answer (docs/adr/0017 addendum, session 13), the killed node remembers nothing."""
    stack = await make_stack(edges=2, instances=1)
    killed = stack.config.edge_node_id(0)

    async def kill(stations: list[RawStation]) -> None:
        # the stations send in waves: kill the node while half of them wait for an answer
        await wait_until(lambda: sum(station.awaiting_reply for station in stations) >= STATIONS // 2, timeout_s=30)
        stack.kill(killed, signal.SIGKILL)

    urls = [stack.config.edge_url(0), stack.config.edge_url(1)]  # every station tries node 1 first
    resent = await _exactly_once_through(
        stack, fault_infra, urls, "edge-killed", "edge node kill -9", kill, gone=killed, pause_s=0.05
    )
    assert resent > 0, "no CALL was in flight when the node died: nothing was tested"


async def _exactly_once_through(
    stack: Stack,
    fault_infra: FaultInfra,
    urls: list[str],
    name: str,
    what: str,
    fault: Callable[[list[RawStation]], Awaitable[None]],
    gone: str = "",
    pause_s: float = 0.2,
) -> int:
    """Runs the status load on `urls` (`pause_s` between a station's CALLs), injects `fault`, and checks the
    module's claims (`gone`: a process the fault ended). Returns how many times stations sent a CALL again."""
    bootstrap = fault_infra.infra.kafka_bootstrap
    processes = {process: p for process, p in stack.processes.items() if process != gone}
    frames_start = await end_offsets(bootstrap, topics.FRAMES)
    events_start = await end_offsets(bootstrap, topics.DEVICE_MODEL_EVENTS)
    calls_start = await end_offsets(bootstrap, topics.calls(DEVICE_MODEL))
    prefix = stack.config.instance_prefix
    stations = [RawStation(urls, f"{prefix}{name}-{i:02d}", VERSIONS[i % len(VERSIONS)]) for i in range(STATIONS)]
    try:
        await connect_all(stations)
        load = StatusLoad(stations, pause_s=pause_s)
        load.start()
        try:
            await eventually(probe(lambda: load.acked_since(0.0)), lambda n: n == STATIONS, what="the load to run")
            down_at = time.monotonic()
            await fault(stations)
            back_at = time.monotonic()
            await eventually(
                probe(lambda: load.acked_since(back_at)),
                lambda n: n == STATIONS,
                timeout_s=150,
                what=f"every station answered again after the {what}",
            )
        finally:
            await load.stop()
        acked = {
            (station_id, message_id): status
            for station_id, acks in load.acked.items()
            for message_id, status, _ in acks
        }
        slowest = max(at - down_at for acks in load.acked.values() for *_, at in acks if at > down_at)
        resent = sum(n - 1 for station in stations for n in station.sent.values())
        print(
            f"\n{what} took {back_at - down_at:.1f} s; {len(acked)} CALLs acknowledged, {resent} resends;"
            f" first answers after the fault came within {slowest:.1f} s"
        )
        assert {process: p.poll() for process, p in stack.processes.items()} == dict.fromkeys(processes)
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
    return resent


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
                f" first_call={envelope.first_call}"
            )
    lines = [f"{len(wrong)} CALLs with missing or extra ConnectorStatusChanged events:"]
    for key in wrong:
        lines.append(
            f"  {key}: acked {acked.get(key)!r}; events at {found_at.get(key, [])};"
            f" call-topic copies {copies.get(key, [])}"
        )
    return "\n".join(lines)
