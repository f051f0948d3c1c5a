"""Each service's `build()`: the wiring without I/O — resources in start order, loops, gRPC API and routed actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from csms_authorization.bootstrap import build as build_authorization
from csms_authorization.settings import AuthorizationSettings
from csms_device_model.bootstrap import build as build_device_model
from csms_device_model.settings import DeviceModelSettings
from csms_firmware.bootstrap import build as build_firmware
from csms_firmware.settings import FirmwareSettings
from csms_kernel.infra.lifecycle import Service
from csms_kernel.ocpp.versions import OcppVersion
from csms_security.bootstrap import build as build_security
from csms_security.settings import SecuritySettings
from csms_smart_charging.bootstrap import build as build_smart_charging
from csms_smart_charging.settings import SmartChargingSettings
from csms_transactions.bootstrap import build as build_transactions
from csms_transactions.settings import TransactionsSettings


@dataclass(frozen=True)
class Expected:
    build: Callable[[], Service]
    name: str
    resources: list[str]
    loops: list[str]
    listen: str
    grpc_service: str
    v201_actions: frozenset[str]


KAFKA = ["AsyncConsumer", "AIOKafkaConsumer", "AIOKafkaProducer"]
SERVICES = {
    "device-model": Expected(
        lambda: build_device_model(DeviceModelSettings(instance_id="device-model-7")),
        "device-model",
        [
            "CassandraSession",
            "Closing",
            "Closing",
            "AsyncConsumer",
            "AIOKafkaConsumer",
            "AIOKafkaConsumer",
            "AIOKafkaProducer",
        ],
        [
            "CallRunner.run",
            "ProjectionRunner.run",
            "ProjectionRunner.run",
            "OperatorCommands.run",
            "OutboxRelay.run",
            "CommandSweeper.run",
        ],
        "127.0.0.1:50051",
        "csms.device_model.v1.DeviceModelService",
        frozenset(
            {
                "BootNotification",
                "Heartbeat",
                "StatusNotification",
                "NotifyReport",
                "NotifyDisplayMessages",
                "DataTransfer",
                "NotifyEvent",
                "NotifyMonitoringReport",
                "NotifyCustomerInformation",
            }
        ),
    ),
    "authorization": Expected(
        lambda: build_authorization(
            AuthorizationSettings(instance_id="authorization-7", password_pepper=SecretStr("pepper"))
        ),
        "authorization",
        [
            "CassandraSession",
            "Closing",
            "Closing",
            "Closing",
            "AsyncConsumer",
            "AIOKafkaConsumer",
            "AIOKafkaConsumer",
            "AIOKafkaProducer",
        ],
        [
            "CallRunner.run",
            "ProjectionRunner.run",
            "ProjectionRunner.run",
            "OutboxRelay.run",
            "OutboxRelay.run",
            "OutboxRelay.run",
        ],
        "127.0.0.1:50052",
        "csms.authorization.v1.AuthorizationService",
        frozenset({"Authorize", "Get15118EVCertificate", "GetCertificateStatus", "ReservationStatusUpdate"}),
    ),
    "transactions": Expected(
        lambda: build_transactions(TransactionsSettings(instance_id="transactions-7")),
        "transactions",
        ["CassandraSession", "Closing", "Closing", *KAFKA],
        ["CallRunner.run", "ProjectionRunner.run"],
        "127.0.0.1:50053",
        "csms.transactions.v1.TransactionsService",
        frozenset({"MeterValues", "TransactionEvent"}),
    ),
    "security": Expected(
        lambda: build_security(SecuritySettings(instance_id="security-7")),
        "security",
        ["CassandraSession", "Closing", *KAFKA, "AIOKafkaProducer"],
        ["CallRunner.run", "ProjectionRunner.run", "CertificateSigner.run", "RenewalSweeper.run"],
        "127.0.0.1:50054",
        "csms.security.v1.SecurityService",
        frozenset({"SecurityEventNotification", "SignCertificate"}),
    ),
    "firmware": Expected(
        lambda: build_firmware(FirmwareSettings(instance_id="firmware-7")),
        "firmware",
        [
            "CassandraSession",
            "ArtifactHttpServer",
            "Closing",
            "Closing",
            "AsyncConsumer",
            "AIOKafkaConsumer",
            "AIOKafkaConsumer",
            "AIOKafkaProducer",
            "AIOKafkaProducer",
        ],
        ["CallRunner.run", "ProjectionRunner.run", "ProjectionRunner.run", "CampaignDriver.run"],
        "127.0.0.1:50055",
        "csms.firmware.v1.FirmwareService",
        frozenset({"FirmwareStatusNotification", "LogStatusNotification", "PublishFirmwareStatusNotification"}),
    ),
    "smart-charging": Expected(
        lambda: build_smart_charging(SmartChargingSettings(instance_id="smart-charging-7")),
        "smart-charging",
        ["CassandraSession", "Closing", "Closing", *KAFKA, "AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaConsumer"],
        [
            "CallRunner.run",
            "ProjectionRunner.run",
            "ProjectionRunner.run",
            "ProjectionRunner.run",
            "RunSiteLoops.run_retries",
        ],
        "127.0.0.1:50056",
        "csms.smart_charging.v1.SmartChargingService",
        frozenset(
            {
                "NotifyChargingLimit",
                "ClearedChargingLimit",
                "NotifyEVChargingNeeds",
                "NotifyEVChargingSchedule",
                "ReportChargingProfiles",
            }
        ),
    ),
}


@pytest.mark.parametrize("expected", SERVICES.values(), ids=SERVICES.keys())
async def test_build_wires_the_service_without_starting_anything(expected: Expected) -> None:
    service = expected.build()
    assert (service.name, service.instance) == (expected.name, f"{expected.name}-7")
    assert [type(resource).__name__ for resource in service.resources] == expected.resources
    assert [loop.__qualname__ for loop in service.loops] == expected.loops
    assert service.grpc is not None
    assert (service.grpc.listen, service.grpc.service_name) == (expected.listen, expected.grpc_service)
    assert service.router is not None
    assert service.router.actions(OcppVersion.V201) == expected.v201_actions
