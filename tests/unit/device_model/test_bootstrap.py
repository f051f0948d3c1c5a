"""device-model `build()`: the wiring without I/O — resources in start order, loops, gRPC API and routed actions."""

from __future__ import annotations

from csms_device_model.bootstrap import build
from csms_device_model.settings import DeviceModelSettings
from csms_kernel.ocpp.versions import OcppVersion


async def test_build_wires_the_service_without_starting_anything() -> None:
    service = build(DeviceModelSettings(instance_id="device-model-7"))
    assert (service.name, service.instance) == ("device-model", "device-model-7")
    assert [type(resource).__name__ for resource in service.resources] == [
        "CassandraSession",
        "Closing",
        "AIOKafkaConsumer",
        "AIOKafkaConsumer",
        "AIOKafkaProducer",
    ]
    assert [loop.__qualname__ for loop in service.loops] == ["CallRunner.run", "ProjectionRunner.run"]
    assert service.grpc is not None
    assert (service.grpc.listen, service.grpc.service_name) == (
        "127.0.0.1:50051",
        "csms.device_model.v1.DeviceModelService",
    )
    assert service.router is not None
    assert service.router.actions(OcppVersion.V201) == frozenset(
        {"BootNotification", "Heartbeat", "StatusNotification"}
    )
