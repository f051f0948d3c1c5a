"""The edge nodes' client: one channel per node address, closed once unused (security review #16)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from csms.edge.v1 import edge_pb2
from csms_device_model.adapters.edge_client import GrpcEdgeNodeCalls
from csms_device_model.domain.presence import Presence


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Stub:
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def SendCall(self, request: edge_pb2.SendCallRequest, timeout: float) -> edge_pb2.SendCallResponse:  # noqa: ASYNC109 (the stub's signature)
        await self.gate.wait()
        return edge_pb2.SendCallResponse(message_id="m", result_json="{}")


class Nodes:
    def __init__(self) -> None:
        self.opened: list[str] = []
        self.closed: list[str] = []
        self.stubs: dict[str, Stub] = {}

    def connect(self, address: str) -> tuple[Any, Any]:
        self.opened.append(address)
        stub = self.stubs[address] = Stub()

        async def close() -> None:
            self.closed.append(address)

        return close, stub


def presence(address: str) -> Presence:
    return Presence(
        connected=True, edge_node_id="edge-1", connection_id="c1", edge_address=address, ocpp_version="ocpp2.0.1"
    )


async def test_a_channel_unused_for_idle_s_is_closed_but_never_one_with_a_call_in_flight() -> None:
    nodes, clock = Nodes(), Clock()
    calls = GrpcEdgeNodeCalls(idle_s=600, connect=nodes.connect, clock=clock)
    for address in ("10.0.0.1:41000", "10.0.0.1:41001"):  # the node restarted on a new port
        call = asyncio.create_task(calls.send_call(presence(address), "CS-1", "Reset", "{}", 30))
        await asyncio.sleep(0)
        nodes.stubs[address].gate.set()
        await call
    long = asyncio.create_task(calls.send_call(presence("10.0.0.2:41000"), "CS-2", "Reset", "{}", 300))
    await asyncio.sleep(0)
    clock.now = 700
    later = asyncio.create_task(calls.send_call(presence("10.0.0.3:41000"), "CS-3", "Reset", "{}", 30))
    await asyncio.sleep(0)
    assert nodes.closed == ["10.0.0.1:41000", "10.0.0.1:41001"]  # idle; 10.0.0.2 has a call in flight
    assert calls.addresses == ["10.0.0.2:41000", "10.0.0.3:41000"]
    nodes.stubs["10.0.0.3:41000"].gate.set()
    nodes.stubs["10.0.0.2:41000"].gate.set()
    await asyncio.gather(long, later)
    await calls.close()
    assert sorted(nodes.closed) == ["10.0.0.1:41000", "10.0.0.1:41001", "10.0.0.2:41000", "10.0.0.3:41000"]
