"""A rebalance storm: while 40 stations send StatusNotifications back to back, a third and a fourth
device-model instance join the group and leave it again (SIGTERM or SIGKILL, in turn) every few seconds for
40 s, beside the stack's two.

Every join and every leave moves partitions between instances in the middle of their batches and
transactions. Each station waits 90 s before sending a CALL again, so every CALL is sent once. Must hold
(`kit.exactly_once`): every CALL answered exactly once on its socket; every event and every committed reply
exactly once per (station, message id), read with read_committed; the projection equal to a replay of the
events; the stack's own instances alive at the end. One instance of every other service.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import time

from csms_devtools.stack import ProcessSpec, Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.exactly_once import LogStart, assert_exactly_once
from kit.stack import FaultInfra, MakeStack, free_port
from kit.stations.raw import RawStation, StatusLoad, close_all, connect_all
from kit.waiting import eventually, probe

STATIONS = 40
STORM_S = 40.0
PERIOD_S = 4.0
VERSIONS = (OcppVersion.V16, OcppVersion.V201, OcppVersion.V21)


def extra_instance(stack: Stack, number: int) -> ProcessSpec:
    """Instance `number` of device-model beyond the stack's own: its own instance id and gRPC port."""
    base = stack.spec(stack.config.instance_name("device-model", 0))
    address = f"{stack.config.host}:{free_port()}"
    env = {
        **base.env,
        "CSMS_DEVICE_MODEL_GRPC_LISTEN": address,
        "CSMS_DEVICE_MODEL_INSTANCE_ID": f"{stack.config.instance_prefix}device-model-{number}",
        "CSMS_METRICS_PORT": "0",
    }
    return dataclasses.replace(base, name=f"device-model-{number}", env=env, grpc_address=address)


async def test_instances_joining_and_leaving_under_load_double_nothing(
    fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack(instances={"device-model": 2})
    bootstrap = fault_infra.infra.kafka_bootstrap
    prefix = stack.config.instance_prefix
    start = await LogStart.now(bootstrap, [stack.config.edge_node_id(0)])
    own = {name: stack.processes[name] for name in stack.config.instance_names("device-model")}
    extras = [extra_instance(stack, 3), extra_instance(stack, 4)]
    stations = [
        RawStation([stack.config.edge_url(0)], f"{prefix}storm-{i:02d}", VERSIONS[i % len(VERSIONS)])
        for i in range(STATIONS)
    ]
    await connect_all(stations)
    load = StatusLoad(stations, pause_s=0.2, attempt_timeout_s=90)
    load.start()
    changes = 0
    try:
        await eventually(probe(lambda: load.acked_since(0.0)), lambda n: n == STATIONS, what="the load to run")
        storm_ends = time.monotonic() + STORM_S
        while time.monotonic() < storm_ends:
            spec = extras[changes % len(extras)]
            if spec.name in stack.processes:
                how = signal.SIGKILL if changes % 4 < 2 else signal.SIGTERM
                await asyncio.to_thread(stack.kill, spec.name, how)
            else:
                stack.start_process(spec)
            changes += 1
            await asyncio.sleep(PERIOD_S)
        for spec in extras:
            await asyncio.to_thread(stack.kill, spec.name, signal.SIGTERM)
        calm_at = time.monotonic()
        await eventually(
            probe(lambda: load.acked_since(calm_at)),
            lambda n: n == STATIONS,
            timeout_s=150,
            what="every station answered after the storm",
        )
    finally:
        await load.stop()
    try:
        calls = await assert_exactly_once(bootstrap, start, load, stack.config)
        print(f"\n{changes} joins and leaves; {calls} CALLs, each answered once")
        assert all(process.poll() is None for process in own.values())
    finally:
        await close_all(stations)
