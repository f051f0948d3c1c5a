"""The one client channel: a target listing several instances spreads calls over them (round robin, also over
mutual TLS with the name the certificates carry), skips an instance that is gone, and pings at a rate the
kernel's servers allow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients import channels
from csms_kernel.infra.grpc_server import GrpcServer, build_server
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.pki.dev import ensure_dev_pki

Context = grpc.aio.ServicerContext[Any, Any]


class Instance(device_model_pb2_grpc.DeviceModelServiceServicer):
    """Answers GetStation with its own name as the station id."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def GetStation(
        self, request: device_model_pb2.GetStationRequest, context: Context
    ) -> device_model_pb2.GetStationResponse:
        return device_model_pb2.GetStationResponse(station=device_model_pb2.Station(station_id=self.name))


def serving(instance: Instance, tls: GrpcTls | None) -> GrpcServer:
    return build_server(
        "127.0.0.1:0",
        [(lambda server: device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server(instance, server), "dm")],
        tls,
        ["cli"],
    )


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> GrpcTls:
    pki = ensure_dev_pki(tmp_path_factory.mktemp("pki"))
    return GrpcTls(pki.internal_ca.certificate, pki.internal("cli").certificate, pki.internal("cli").key, "localhost")


@pytest.fixture(params=["plaintext", "mutual TLS"])
async def two_instances(request: pytest.FixtureRequest, tls: GrpcTls) -> AsyncIterator[list[GrpcServer]]:
    own = tls if request.param == "mutual TLS" else None
    servers = [serving(Instance("dm-1"), own), serving(Instance("dm-2"), own)]
    for server in servers:
        await server.start()
    yield servers
    for server in servers:
        await server.stop(None)


async def answered_by(channel: grpc.aio.Channel, calls: int) -> list[str]:
    stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
    request = device_model_pb2.GetStationRequest(station_id="CS-1")
    return [(await stub.GetStation(request, timeout=5)).station.station_id for _ in range(calls)]


async def test_a_target_listing_every_instance_spreads_the_calls_over_them(two_instances: list[GrpcServer]) -> None:
    target = "ipv4:" + ",".join(f"127.0.0.1:{server.port}" for server in two_instances)
    async with channels.channel(target, two_instances[0].tls) as channel:
        seen: set[str] = set()
        while seen != {"dm-1", "dm-2"}:  # until both connections are ready
            seen.update(await answered_by(channel, 1))
        assert sorted(await answered_by(channel, 4)) == ["dm-1", "dm-1", "dm-2", "dm-2"]


async def test_an_instance_that_stopped_is_skipped(two_instances: list[GrpcServer]) -> None:
    target = "ipv4:" + ",".join(f"127.0.0.1:{server.port}" for server in two_instances)
    async with channels.channel(target, two_instances[0].tls) as channel:
        await answered_by(channel, 4)
        await two_instances[0].stop(None)
        assert await answered_by(channel, 4) == ["dm-2"] * 4


def test_every_channel_balances_round_robin_and_pings_as_often_as_the_servers_allow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[tuple[str, Any]] = []
    monkeypatch.setattr(grpc.aio, "insecure_channel", lambda target, options: opened.append((target, options)))
    monkeypatch.setattr(grpc, "insecure_channel", lambda target, options: opened.append((target, options)))
    channels.channel("dns:///device-model:50051", None)
    channels.blocking_channel("ipv4:127.0.0.1:1,127.0.0.1:2", None)
    assert opened == [
        ("dns:///device-model:50051", channels.CHANNEL_OPTIONS),
        ("ipv4:127.0.0.1:1,127.0.0.1:2", channels.CHANNEL_OPTIONS),
    ]
    client, server = dict(channels.CHANNEL_OPTIONS), dict(channels.SERVER_OPTIONS)
    assert client["grpc.lb_policy_name"] == "round_robin"
    assert client["grpc.keepalive_permit_without_calls"] == server["grpc.keepalive_permit_without_calls"] == 1
    assert server["grpc.http2.min_ping_interval_without_data_ms"] < client["grpc.keepalive_time_ms"]
    assert client["grpc.http2.ping_timeout_ms"] == client["grpc.keepalive_timeout_ms"] == channels.PING_TIMEOUT_MS


async def test_a_server_never_shares_its_port_with_another() -> None:
    first = serving(Instance("dm-1"), None)
    await first.start()
    try:
        with pytest.raises(RuntimeError, match="bind"):
            build_server(f"127.0.0.1:{first.port}", [], None)
    finally:
        await first.stop(0)
