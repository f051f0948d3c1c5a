"""SIGSTOP of one of two device-model instances, longer than the group's session timeout (10 s), while 40
stations (1.6, 2.0.1, 2.1) send StatusNotifications back to back; SIGCONT after 25 s. Also with the Kafka
broker restarted while the instance is frozen.

The frozen instance resumes in the middle of whatever it was doing (a batch handled, a transaction half
sent); by then the other instance owns its partitions and has answered the same CALLs. The broker must refuse
the zombie's commit (KIP-447, ADR 0013). Each station waits 90 s before sending a CALL again, so it never
does: every CALL is sent once. Must hold (`kit.exactly_once`): every CALL answered exactly once on its socket;
every event and every committed reply exactly once per (station, message id), read with read_committed; the
projection equal to a replay of the events; both instances alive at the end. One instance of every other
service.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from csms_kernel.ocpp.versions import OcppVersion
from kit.exactly_once import LogStart, assert_exactly_once
from kit.stack import FaultInfra, MakeStack
from kit.stations.raw import RawStation, StatusLoad, close_all, connect_all
from kit.waiting import eventually, probe

STATIONS = 40
FREEZE_S = 25.0
VERSIONS = (OcppVersion.V16, OcppVersion.V201, OcppVersion.V21)


@pytest.mark.parametrize("broker_restart", [False, True], ids=["frozen", "frozen-while-kafka-restarts"])
async def test_a_frozen_instance_resumes_without_doubling_anything(
    broker_restart: bool, fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack(instances={"device-model": 2})
    bootstrap = fault_infra.infra.kafka_bootstrap
    prefix = stack.config.instance_prefix
    start = await LogStart.now(bootstrap, [stack.config.edge_node_id(0)])
    stations = [
        RawStation([stack.config.edge_url(0)], f"{prefix}frz-{i:02d}", VERSIONS[i % len(VERSIONS)])
        for i in range(STATIONS)
    ]
    frozen_name, other_name = stack.config.instance_names("device-model")
    frozen = stack.processes[frozen_name]
    await connect_all(stations)
    load = StatusLoad(stations, pause_s=0.2, attempt_timeout_s=90)
    load.start()
    try:
        await eventually(probe(lambda: load.acked_since(0.0)), lambda n: n == STATIONS, what="the load to run")
        frozen_at = time.monotonic()
        os.kill(frozen.pid, signal.SIGSTOP)
        try:
            if broker_restart:
                await fault_infra.restart("kafka")
            await asyncio.sleep(max(0.0, FREEZE_S - (time.monotonic() - frozen_at)))
        finally:
            os.kill(frozen.pid, signal.SIGCONT)
        resumed_at = time.monotonic()
        await eventually(
            probe(lambda: load.acked_since(resumed_at)),
            lambda n: n == STATIONS,
            timeout_s=150,
            what="every station answered again after the resume",
        )
        await asyncio.sleep(5)  # the resumed instance's batch meets the broker's refusal, or has met it
    finally:
        await load.stop()
    try:
        calls = await assert_exactly_once(bootstrap, start, load, stack.config)
        slowest = max(at - frozen_at for acks in load.acked.values() for *_, at in acks if at > frozen_at)
        print(f"\n{calls} CALLs, each answered once; slowest answer after the freeze {slowest:.1f} s")
        assert frozen.poll() is None and stack.processes[other_name].poll() is None
    finally:
        await close_all(stations)
