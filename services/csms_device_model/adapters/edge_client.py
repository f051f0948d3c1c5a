"""gRPC client of the edge nodes' EdgeService: one cached channel per node, to the address the node registered
(a single address: a station's connection lives on one node). An edge node restarted on another address (the
default listen port is 0) leaves its old channel unused: a channel with no call in flight and none for
`idle_s` is closed and forgotten (security review #16), so the cache holds only the nodes in use.
Network I/O only."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import grpc

from csms.edge.v1 import edge_pb2, edge_pb2_grpc
from csms_device_model.app.send_call import StationBusy
from csms_device_model.domain.presence import Presence
from csms_device_model.ports import CallErrorReply, CallResult, Outcome
from csms_kernel.clients.channels import insecure_channel
from csms_kernel.clients.station_calls import (
    CallFailed,
    CallTimedOut,
    StationCallError,
    StationOffline,
    rpc_deadline_s,
)

if TYPE_CHECKING:
    from csms.edge.v1.edge_pb2_grpc import EdgeServiceAsyncStub


Close = Callable[[], Awaitable[None]]


def connect(address: str) -> tuple[Close, EdgeServiceAsyncStub]:
    """A channel to the edge node at `address`: how to close it, and its stub."""
    channel = insecure_channel(address)
    return functools.partial(channel.close, None), edge_pb2_grpc.EdgeServiceStub(channel)


@dataclass(slots=True)
class _Node:
    close: Close
    stub: EdgeServiceAsyncStub
    last_used: float
    in_flight: int = field(default=0)


class GrpcEdgeNodeCalls:
    def __init__(
        self,
        *,
        idle_s: float = 600.0,
        connect: Callable[[str], tuple[Close, EdgeServiceAsyncStub]] = connect,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._nodes: dict[str, _Node] = {}
        self._idle_s = idle_s
        self._connect = connect
        self._clock = clock
        self._pruned_at = clock()

    @property
    def addresses(self) -> list[str]:
        return list(self._nodes)

    def _node(self, address: str) -> _Node:
        node = self._nodes.get(address)
        if node is None:
            channel, stub = self._connect(address)
            node = self._nodes[address] = _Node(channel, stub, self._clock())
        return node

    async def _prune(self) -> None:
        """Closes the channels idle for `idle_s` (checked at most every tenth of it)."""
        now = self._clock()
        if now - self._pruned_at < self._idle_s / 10:
            return
        self._pruned_at = now
        for address, node in list(self._nodes.items()):
            if node.in_flight == 0 and now - node.last_used >= self._idle_s:
                del self._nodes[address]
                await node.close()

    async def send_call(
        self, presence: Presence, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> Outcome:
        request = edge_pb2.SendCallRequest(
            station_id=station_id,
            connection_id=presence.connection_id,
            action=action,
            payload_json=payload_json,
            timeout_ms=int(timeout_s * 1000),
        )
        await self._prune()
        node = self._node(presence.edge_address)
        node.in_flight += 1
        try:
            response = await node.stub.SendCall(request, timeout=rpc_deadline_s(timeout_s))
        except grpc.aio.AioRpcError as exc:
            raise _translate(exc, station_id, presence) from exc
        finally:
            node.in_flight -= 1
            node.last_used = self._clock()
        if response.WhichOneof("outcome") == "error":
            error = response.error
            return CallErrorReply(response.message_id, error.code, error.description, error.details_json)
        return CallResult(response.message_id, response.result_json)

    async def close(self) -> None:
        nodes, self._nodes = self._nodes, {}
        for node in nodes.values():
            await node.close()


def _translate(exc: grpc.aio.AioRpcError, station_id: str, presence: Presence) -> StationCallError:
    code = exc.code()
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return CallTimedOut(exc.details() or f"station {station_id} did not answer in time")
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return StationBusy(exc.details() or f"station {station_id} has too many calls queued")
    if code == grpc.StatusCode.UNAVAILABLE and "disconnected" not in (exc.details() or ""):
        return StationOffline(
            f"station {station_id} is offline (edge node {presence.edge_node_id} at {presence.edge_address} "
            "is unreachable)"
        )
    if code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAVAILABLE):
        return StationOffline(exc.details() or f"station {station_id} is offline")
    return CallFailed(f"edge node {presence.edge_node_id} failed the call: {code.name} {exc.details()}", code)
