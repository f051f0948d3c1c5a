"""Queued operator commands survive a restart of every process: three commands are queued for an offline
station, then every process of the stack (two instances of every service, the edge node) is SIGKILLed, the
Kafka broker and Cassandra are restarted, and the processes are started again. Must hold: when the station
comes back and its boot is accepted, it receives each queued command exactly once, in the order they were
given, and each is recorded answered.
"""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta

import grpc

from csms.device_model.v1 import device_model_pb2 as pb
from csms.device_model.v1 import device_model_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, FaultInfra, MakeStack, connected, get_station
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

COMMANDS = [
    ("clear-cache", {}),
    ("trigger-message", {"message": "heartbeat"}),
    ("data-transfer", {"vendor_id": "ACME", "data": 1}),
]


async def send_command(stack: Stack, request: pb.SendCommandRequest) -> pb.Command:
    async with grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        return (await stub.SendCommand(request, timeout=30)).command


async def state_of(stack: Stack, command_id: str) -> int:
    async with grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        try:
            found = await stub.GetCommand(pb.GetCommandRequest(command_id=command_id), timeout=5)
        except grpc.aio.AioRpcError:
            return pb.COMMAND_STATE_UNSPECIFIED  # a service still starting
    return found.command.state


async def test_queued_commands_are_delivered_once_in_order_after_every_process_restarted(
    fault_infra: FaultInfra, make_stack: MakeStack
) -> None:
    stack = await make_stack()
    station_id = f"{stack.config.instance_prefix}queued"
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
    await eventually(
        lambda: get_station(stack, station_id), lambda s: s is not None and not s.connected, what="offline"
    )

    expires_at = timestamp(datetime.now(UTC) + timedelta(minutes=30))
    queued = [
        await send_command(
            stack,
            pb.SendCommandRequest(
                station_id=station_id,
                command=name,
                params_json=json.dumps(params),
                timeout_ms=15_000,
                wait=True,
                queue_if_offline=True,
                expires_at=expires_at,
            ),
        )
        for name, params in COMMANDS
    ]
    assert [c.state for c in queued] == [pb.COMMAND_STATE_QUEUED] * len(COMMANDS)

    names = list(stack.processes)
    for name in names:
        stack.kill(name, signal.SIGKILL)
    await fault_infra.restart("kafka")
    await fault_infra.restart("cassandra")
    for name in names:
        stack.start_process(stack.spec(name))
    await stack.wait_ready(timeout_s=240)

    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station:
        assert (await station.boot()).status == "Accepted"
        for command in queued:
            await eventually(
                lambda command_id=command.command_id: state_of(stack, command_id),  # type: ignore[misc]
                lambda state: state == pb.COMMAND_STATE_ANSWERED,
                timeout_s=120,
                what=f"{command.command} answered after the restarts",
            )
        assert [action for action, _ in station.received.calls] == ["ClearCache", "TriggerMessage", "DataTransfer"]
