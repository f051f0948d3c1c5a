"""The `StationDirectory` port on device-model's `ListStations` (paged, over one channel), and the `StationIdentities`
port on its `GetStation`. Network I/O only."""

from __future__ import annotations

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.grpc_tls import GrpcTls

PAGE = 1000


class DeviceModelStations:
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self._channel = channel(address, tls)
        self._stub = device_model_pb2_grpc.DeviceModelServiceStub(self._channel)
        self._timeout_s = timeout_s

    async def stations(self) -> list[device_model_pb2.Station]:
        found: list[device_model_pb2.Station] = []
        token = ""
        while True:
            page = await self._stub.ListStations(
                device_model_pb2.ListStationsRequest(page_size=PAGE, page_token=token), timeout=self._timeout_s
            )
            found.extend(page.stations)
            token = page.next_page_token
            if not token:
                return found

    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        try:
            found = await self._stub.GetStation(
                device_model_pb2.GetStationRequest(station_id=station_id), timeout=self._timeout_s
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return found.station

    async def close(self) -> None:
        await self._channel.close(None)
