"""edge `build()`: the whole node is one resource, started and drained as a unit; nothing runs before."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from csms.envelope.v1 import envelope_pb2
from csms_edge.app.connections import Connection
from csms_edge.bootstrap import EdgeNode, build
from csms_edge.settings import EdgeSettings
from csms_kernel.infra.health import READINESS
from csms_kernel.ocpp.versions import OcppVersion
from kit.fakes.edge import FakeFrameLog, FakeRegistry


async def test_build_wires_the_node_without_starting_it() -> None:
    service = build(EdgeSettings(node_id="edge-7"))
    assert (service.name, service.instance, service.loops, service.grpc, service.router) == (
        "edge",
        "edge-7",
        (),
        None,
        None,
    )
    assert [type(resource) for resource in service.resources] == [EdgeNode]


class FakeSocket:
    def __init__(self) -> None:
        self.closed: tuple[int, str] | None = None

    async def recv(self) -> str | bytes:
        raise AssertionError("not read")

    async def send(self, message: str) -> None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)


def test_a_frame_is_still_connected_while_its_connection_is_the_stations_one_on_the_node() -> None:
    node = EdgeNode(EdgeSettings(node_id="edge-7"))
    node.table.register(Connection("CS-1", "conn-1", OcppVersion.V201, FakeSocket()))
    assert node._still_connected(envelope_pb2.Envelope(station_id="CS-1", connection_id="conn-1", message_id="m1"))
    assert not node._still_connected(envelope_pb2.Envelope(station_id="CS-1", connection_id="conn-0", message_id="m1"))
    assert not node._still_connected(envelope_pb2.Envelope(station_id="CS-2", connection_id="conn-9", message_id="m1"))


async def test_a_delivery_loop_that_ends_on_its_own_makes_the_node_not_serving() -> None:
    """Security review #16: the node no longer looks healthy while no reply can reach its stations."""

    async def broken() -> None:
        raise RuntimeError("consumer closed")

    node = EdgeNode(EdgeSettings(node_id="edge-7"))
    task = asyncio.create_task(broken())
    await asyncio.wait([task])
    try:
        node._delivery_ended(task)
        assert READINESS.failing_components["edge delivery"] == "delivery loop ended: RuntimeError('consumer closed')"
    finally:
        READINESS.ok("edge delivery")
    cancelled = asyncio.create_task(asyncio.sleep(10))
    cancelled.cancel()
    await asyncio.wait([cancelled])
    node._delivery_ended(cancelled)  # a stop cancels it: nothing to report
    assert READINESS.serving


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"plain_enabled": False}, "no station endpoint"),
        ({"trusted_proxies": ["10.0.0.0/33"]}, "CSMS_EDGE_TRUSTED_PROXIES"),
        ({"tls_port": 0}, "CSMS_EDGE_TLS_CERT_FILE"),
        ({"tls_port": 0, "tls_cert_file": "/nonexistent.pem", "tls_key_file": "/nonexistent.key"}, "wss://"),
    ],
)
async def test_a_node_with_a_broken_endpoint_configuration_does_not_start(fields: dict[str, Any], message: str) -> None:
    node = EdgeNode(EdgeSettings(**fields), registry=FakeRegistry(), frame_log=FakeFrameLog())
    with pytest.raises(ValueError, match=re.escape(message)):
        await node.start()


def test_trusted_proxies_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_EDGE_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
    assert EdgeSettings().trusted_proxies == ["10.0.0.0/8", "192.0.2.7"]
