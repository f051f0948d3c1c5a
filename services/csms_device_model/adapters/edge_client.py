"""gRPC client of the edge nodes' EdgeService: one cached channel per node, to the address the node registered
(a single address: a station's connection lives on one node). Network I/O only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc

from csms.edge.v1 import edge_pb2, edge_pb2_grpc
from csms_device_model.app.send_call import StationBusy
from csms_device_model.domain.presence import Presence
from csms_device_model.ports import CallErrorReply, CallResult, Outcome
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.clients.station_calls import (
    CallFailed,
    CallTimedOut,
    StationCallError,
    StationOffline,
    rpc_deadline_s,
)
from csms_kernel.infra.grpc_tls import GrpcTls

if TYPE_CHECKING:
    from csms.edge.v1.edge_pb2_grpc import EdgeServiceAsyncStub


class GrpcEdgeNodeCalls:
    def __init__(self, tls: GrpcTls | None) -> None:
        self._tls = tls
        self._stubs: dict[str, EdgeServiceAsyncStub] = {}
        self._channels: list[grpc.aio.Channel] = []

    def _stub(self, address: str) -> EdgeServiceAsyncStub:
        stub = self._stubs.get(address)
        if stub is None:
            channel = grpc_channel(address, self._tls)
            self._channels.append(channel)
            stub = self._stubs[address] = edge_pb2_grpc.EdgeServiceStub(channel)
        return stub

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
        try:
            response = await self._stub(presence.edge_address).SendCall(request, timeout=rpc_deadline_s(timeout_s))
        except grpc.aio.AioRpcError as exc:
            raise _translate(exc, station_id, presence) from exc
        if response.WhichOneof("outcome") == "error":
            error = response.error
            return CallErrorReply(response.message_id, error.code, error.description, error.details_json)
        return CallResult(response.message_id, response.result_json)

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close(grace=None)


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
