"""Two instances of every service: commands reach any instance, also while one of them is frozen.

One device-model instance is stopped with SIGSTOP (a long GC pause, a stalled VM): its port still accepts TCP
connections, but nothing answers. `csms stations show` and `csms call` (each a new channel) are answered by
the other instance within their deadline; a channel opened before the freeze stops sending calls to the frozen
instance once its keepalive ping goes unanswered. After SIGCONT both instances serve again.
"""

from __future__ import annotations

import asyncio
import json
import signal
import uuid

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import KEEPALIVE_TIME_MS, PING_TIMEOUT_MS
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, Cli, connected, register
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

TRIGGER = json.dumps({"requestedMessage": "Heartbeat"})


async def test_commands_are_answered_while_one_device_model_instance_is_frozen(stack: Stack, cli: Cli) -> None:
    assert len(stack.config.device_model_ports) == 2
    station_id = f"E2E-FROZEN-{uuid.uuid4().hex[:8]}"
    register(cli, station_id)
    request = device_model_pb2.GetStationRequest(station_id=station_id)
    async with (
        connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station,
        grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel,
    ):
        await station.boot()
        await connected(stack, station_id)
        stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        for _ in range(4):  # the open channel is connected to both instances
            await stub.GetStation(request, timeout=5)

        async def answered_four_times() -> bool:
            try:
                for _ in range(4):
                    await stub.GetStation(request, timeout=2)
            except grpc.aio.AioRpcError:
                return False
            return True

        frozen = stack.processes[stack.config.instance_name("device-model", 0)]
        frozen.send_signal(signal.SIGSTOP)
        try:
            for _ in range(3):  # a new process each time; the CLI's deadline is 10 s
                shown = await asyncio.to_thread(cli, "stations", "show", station_id, "--json")
                assert shown.returncode == 0, shown.stderr
                assert json.loads(shown.stdout)["connected"] is True
            called = await asyncio.to_thread(cli, "call", station_id, "TriggerMessage", TRIGGER)
            assert called.returncode == 0, called.stderr
            assert json.loads(called.stdout) == {"status": "Accepted"}
            assert station.received.calls == [("TriggerMessage", {"requestedMessage": "Heartbeat"})]

            bound_s = (KEEPALIVE_TIME_MS + PING_TIMEOUT_MS) / 1000 + 10
            await eventually(
                answered_four_times, bool, timeout_s=bound_s, what="the open channel to leave out the frozen instance"
            )
        finally:
            frozen.send_signal(signal.SIGCONT)
    await stack.wait_ready(timeout_s=30, names=stack.config.instance_names("device-model"))
