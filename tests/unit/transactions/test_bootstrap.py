"""transactions `build()`: the wiring without I/O — resources in start order, loops, gRPC API and routed actions."""

from __future__ import annotations

from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.bootstrap import build
from csms_transactions.settings import TransactionsSettings


async def test_build_wires_the_service_without_starting_anything() -> None:
    service = build(TransactionsSettings(instance_id="transactions-7"))
    assert (service.name, service.instance) == ("transactions", "transactions-7")
    assert [type(resource).__name__ for resource in service.resources] == [
        "CassandraSession",
        "Closing",
        "Closing",
        "AIOKafkaConsumer",
        "AIOKafkaConsumer",
        "AIOKafkaProducer",
    ]
    assert [loop.__qualname__ for loop in service.loops] == ["CallRunner.run", "ProjectionRunner.run"]
    assert service.grpc is not None
    assert (service.grpc.listen, service.grpc.service_name) == (
        "127.0.0.1:50053",
        "csms.transactions.v1.TransactionsService",
    )
    assert service.router is not None
    assert service.router.actions(OcppVersion.V201) == frozenset({"MeterValues", "TransactionEvent"})
