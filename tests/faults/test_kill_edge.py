"""SIGKILL of an edge node (stack with two): its stations reconnect to the other node, and commands reach them.

Must hold: every station of the killed node reconnects to the surviving one; the presence projection moves
each of them to that node (connected, never left on the dead one); a CSMS-initiated call (gRPC SendCall for
every station, `csms call` for one) reaches the station and returns its CALLRESULT; the stations' CALLs
are answered on the new connections. One instance of every service behind the two nodes.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import Cli, MakeStack, get_stations
from kit.stations.raw import RawStation, boot_payload, close_all, connect_all
from kit.waiting import eventually, probe

STATIONS = 90
VERSIONS = (OcppVersion.V16, OcppVersion.V201, OcppVersion.V21)
TRIGGER = json.dumps({"requestedMessage": "Heartbeat"})


async def test_sigkill_of_an_edge_node_moves_its_stations_and_commands_follow(make_stack: MakeStack) -> None:
    stack = await make_stack(edges=2, instances=1)
    config = stack.config
    urls = [config.edge_url(0), config.edge_url(1)]  # every station tries node 1 first, then node 2
    stations = [
        RawStation(urls, f"{config.instance_prefix}move-{i:03d}", VERSIONS[i % len(VERSIONS)]) for i in range(STATIONS)
    ]
    ids = [station.station_id for station in stations]
    try:
        await connect_all(stations)
        await asyncio.gather(*(boot(station, "boot-1") for station in stations))
        await eventually(
            lambda: placement(stack, ids),
            lambda nodes: nodes == dict.fromkeys(ids, config.edge_node_id(0)),
            timeout_s=60,
            what="every station on node 1",
        )

        stack.kill(config.edge_node_id(0), signal.SIGKILL)
        await eventually(
            probe(lambda: sum(1 for station in stations if not station.connected)),
            lambda n: n == STATIONS,
            timeout_s=30,
            what="stations to see the node die",
        )
        await connect_all(stations)  # a station reconnects at once; each URL is tried in turn
        assert {station.url for station in stations} == {config.edge_url(1)}
        await asyncio.gather(*(boot(station, "boot-2") for station in stations))

        await eventually(
            lambda: placement(stack, ids),
            lambda nodes: nodes == dict.fromkeys(ids, config.edge_node_id(1)),
            timeout_s=60,
            what="every station's presence on node 2",
        )
        async with grpc_channel(config.device_model_address, config.grpc_tls()) as channel:
            stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
            responses = await asyncio.gather(
                *(
                    stub.SendCall(
                        device_model_pb2.SendCallRequest(
                            station_id=station_id, action="TriggerMessage", payload_json=TRIGGER, timeout_ms=20000
                        ),
                        timeout=30,
                    )
                    for station_id in ids
                )
            )
        assert [json.loads(response.result_json) for response in responses] == [{"status": "Accepted"}] * STATIONS
        cli = await asyncio.to_thread(csms_call, stack, ids[0])
        assert (cli.returncode, json.loads(cli.stdout or "null")) == (0, {"status": "Accepted"}), cli.stderr
        assert [len(station.calls) for station in stations] == [2] + [1] * (STATIONS - 1)
        assert all(call[2] == "TriggerMessage" for station in stations for call in station.calls)
    finally:
        await close_all(stations)


async def boot(station: RawStation, message_id: str) -> None:
    payload = boot_payload(station.version, "Movers", "M1")
    reply, _ = await station.call(message_id, "BootNotification", payload, attempt_timeout_s=10, deadline_s=90)
    assert reply[0] == 3 and reply[2]["status"] == "Accepted", (station.station_id, reply)


async def placement(stack: Stack, ids: list[str]) -> dict[str, str]:
    """The node each station is projected on, for connected stations."""
    found = await get_stations(stack.config, ids)
    return {station_id: station.edge_node_id for station_id, station in found.items() if station.connected}


def csms_call(stack: Stack, station_id: str) -> subprocess.CompletedProcess[str]:
    return Cli(stack)("call", station_id, "TriggerMessage", TRIGGER)
