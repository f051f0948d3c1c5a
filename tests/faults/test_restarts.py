"""Kafka broker restart and Cassandra restart while 40 stations send StatusNotifications back to back.

Must hold, for either restart: every CALLRESULT a station received answers a CALL present in
`ocpp.frames.v1` (a frame that could not be appended is never acknowledged: the station retries it);
every acknowledged CALL has exactly one ConnectorStatusChanged event and no other event exists (nothing
lost, nothing doubled); the projection ends on each station's last acknowledged status; the replies to
one message id are identical; every process of the stack is the one started before the restart and
answers again afterwards (no service restarted).
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra import topics
from csms_kernel.ocpp.versions import OcppVersion
from kit.kafka_log import end_offsets, read_committed
from kit.stack import FaultInfra, MakeStack, get_stations
from kit.stations.raw import RawStation, StatusLoad, close_all, connect_all
from kit.waiting import eventually, probe

STATIONS = 40
VERSIONS = (OcppVersion.V16, OcppVersion.V201, OcppVersion.V21)


@pytest.mark.parametrize("service", ["kafka", "cassandra"])
async def test_restart_under_load_loses_and_doubles_nothing(
    service: str, fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack()
    bootstrap = fault_infra.infra.kafka_bootstrap
    processes = dict(stack.processes)
    frames_start = await end_offsets(bootstrap, topics.FRAMES)
    events_start = await end_offsets(bootstrap, topics.DEVICE_MODEL_EVENTS)
    prefix = stack.config.instance_prefix
    stations = [
        RawStation([stack.config.edge_url(0)], f"{prefix}{service}-{i:02d}", VERSIONS[i % len(VERSIONS)])
        for i in range(STATIONS)
    ]
    await connect_all(stations)
    load = StatusLoad(stations, pause_s=0.2)
    load.start()
    try:
        await eventually(probe(lambda: load.acked_since(0.0)), lambda n: n == STATIONS, what="the load to run")
        down_at = time.monotonic()
        await fault_infra.restart(service)
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
        f"\n{service} restart took {back_at - down_at:.1f} s; {len(acked)} CALLs acknowledged, {resent} resends;"
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
        for value in await read_committed(bootstrap, events_start):
            event = device_model_pb2.DeviceModelEvent.FromString(value)
            if event.station_id.startswith(prefix) and event.WhichOneof("event") == "connector_status_changed":
                changed[(event.station_id, event.message_id, event.connector_status_changed.status)] += 1
        assert changed == Counter({(sid, mid, status): 1 for (sid, mid), status in acked.items()})

        last = {station_id: acks[-1][1] for station_id, acks in load.acked.items()}

        async def projected() -> dict[str, str]:
            found = await get_stations(stack.config, list(last))
            return {sid: st.connectors[0].status for sid, st in found.items() if len(st.connectors) == 1}

        await eventually(projected, lambda statuses: statuses == last, timeout_s=60, what="last statuses projected")
    finally:
        await close_all(stations)
