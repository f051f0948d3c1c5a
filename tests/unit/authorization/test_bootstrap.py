"""authorization `build()`: the wiring without I/O — resources in start order, loops, gRPC API and routed actions."""

from __future__ import annotations

from pydantic import SecretStr

from csms_authorization.bootstrap import build
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.ocpp.versions import OcppVersion


async def test_build_wires_the_service_without_starting_anything() -> None:
    service = build(AuthorizationSettings(instance_id="authorization-7", password_pepper=SecretStr("pepper")))
    assert (service.name, service.instance) == ("authorization", "authorization-7")
    assert [type(resource).__name__ for resource in service.resources] == [
        "CassandraSession",
        "Closing",
        "AIOKafkaConsumer",
        "AIOKafkaConsumer",
        "AIOKafkaProducer",
    ]
    assert [loop.__qualname__ for loop in service.loops] == [
        "CallRunner.run",
        "ProjectionRunner.run",
        "OutboxRelay.run",
    ]
    assert service.grpc is not None
    assert (service.grpc.listen, service.grpc.service_name) == (
        "127.0.0.1:50052",
        "csms.authorization.v1.AuthorizationService",
    )
    assert service.router is not None
    assert service.router.actions(OcppVersion.V201) == frozenset({"Authorize"})
