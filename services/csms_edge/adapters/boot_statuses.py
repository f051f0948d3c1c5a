"""The gRPC adapter of the `BootStatuses` port (csms_edge.ports): the status of a station's last boot, read from
device-model's provisioning (`DeviceModelService.GetStationProvisioning`, network I/O bounded by a timeout), for a
connection on which the station has not booted (docs/adr/0031). Any failure raises `BootStatusUnavailable`."""

from __future__ import annotations

import grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_edge.ports import BootStatusUnavailable


class GrpcBootStatuses:
    def __init__(self, channel: grpc.aio.Channel, timeout_s: float) -> None:
        self._stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
        self._timeout_s = timeout_s

    async def last_status(self, station_id: str) -> str:
        request = device_model_pb2.GetStationProvisioningRequest(station_id=station_id)
        try:
            response = await self._stub.GetStationProvisioning(request, timeout=self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise BootStatusUnavailable(f"{exc.code().name}: {exc.details()}") from exc
        return response.provisioning.registration_status
