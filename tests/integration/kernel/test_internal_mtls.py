"""The internal gRPC surface over mutual TLS (ADR 0029), with real servers built by the kernel on loopback: a call
without a client certificate, with a certificate of another CA, or in plaintext never reaches the service
(UNAVAILABLE: the TLS handshake fails); an identity the service does not allow gets PERMISSION_DENIED and a
`grpc_call_refused` security event; an allowed identity is served; health answers every internal identity."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_kernel.clients.channels import channel
from csms_kernel.infra.grpc_server import GrpcServer, build_server
from csms_kernel.infra.grpc_tls import GrpcTls, IdentityCheck
from csms_kernel.pki.dev import DevPki, ensure_dev_pki

SERVICE = device_model_pb2.DESCRIPTOR.services_by_name["DeviceModelService"].full_name
METHOD = f"/{SERVICE}/GetStation"


class DeviceModel(device_model_pb2_grpc.DeviceModelServiceServicer):
    async def GetStation(
        self, request: device_model_pb2.GetStationRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetStationResponse:
        return device_model_pb2.GetStationResponse(station=device_model_pb2.Station(station_id=request.station_id))

    async def GetStationProvisioning(
        self, request: device_model_pb2.GetStationProvisioningRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> device_model_pb2.GetStationProvisioningResponse:
        provisioning = device_model_pb2.StationProvisioning(
            station_id=request.station_id, registration_status="Pending"
        )
        return device_model_pb2.GetStationProvisioningResponse(provisioning=provisioning)


def tls(pki: DevPki, identity: str) -> GrpcTls:
    pair = pki.internal(identity)
    return GrpcTls(pki.internal_ca.certificate, pair.certificate, pair.key, "localhost")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return ensure_dev_pki(tmp_path_factory.mktemp("other-pki"))


@pytest.fixture
async def server(pki: DevPki) -> AsyncIterator[GrpcServer]:
    """device-model's service, callable by `api` and `cli`; GetStationProvisioning by `edge` too."""
    built = build_server(
        "127.0.0.1:0",
        [(lambda s: device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server(DeviceModel(), s), SERVICE)],
        tls(pki, "device-model"),
        ["api", "cli"],
        granted={f"/{SERVICE}/GetStationProvisioning": ["edge"]},
    )
    await built.start()
    yield built
    await built.stop(None)


async def get_station(target: str, credentials: GrpcTls | None) -> str:
    async with channel(target, credentials) as opened:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(opened)
        response = await stub.GetStation(device_model_pb2.GetStationRequest(station_id="CS-1"), timeout=5)
    return response.station.station_id


async def refusal(target: str, credentials: GrpcTls | None) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await get_station(target, credentials)
    return refused.value.code(), refused.value.details() or ""


async def test_an_allowed_identity_is_served(server: GrpcServer, pki: DevPki) -> None:
    assert await get_station(f"127.0.0.1:{server.port}", tls(pki, "cli")) == "CS-1"
    assert await get_station(f"localhost:{server.port}", tls(pki, "api")) == "CS-1"


async def test_an_identity_the_service_does_not_allow_is_refused_and_logged(
    server: GrpcServer, pki: DevPki, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "csms.security"):
        code, details = await refusal(f"127.0.0.1:{server.port}", tls(pki, "edge"))
    assert (code, details) == (grpc.StatusCode.PERMISSION_DENIED, f"identity 'edge' may not call {METHOD}")
    [event] = [record for record in caplog.records if record.name == "csms.security"]
    assert event.levelno == logging.WARNING
    assert event.security["event"] == "grpc_call_refused"  # type: ignore[attr-defined]
    assert event.security["identity"] == "edge"  # type: ignore[attr-defined]
    assert event.security["method"] == METHOD  # type: ignore[attr-defined]


async def test_an_identity_granted_one_method_may_call_that_method_only(server: GrpcServer, pki: DevPki) -> None:
    async with channel(f"127.0.0.1:{server.port}", tls(pki, "edge")) as opened:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(opened)
        request = device_model_pb2.GetStationProvisioningRequest(station_id="CS-1")
        answer = await stub.GetStationProvisioning(request, timeout=5)
    assert answer.provisioning.registration_status == "Pending"
    assert (await refusal(f"127.0.0.1:{server.port}", tls(pki, "edge")))[0] == grpc.StatusCode.PERMISSION_DENIED


async def test_a_call_without_a_client_certificate_is_refused(server: GrpcServer, pki: DevPki) -> None:
    credentials = grpc.ssl_channel_credentials(root_certificates=pki.internal_ca.certificate.read_bytes())
    options = (("grpc.ssl_target_name_override", "localhost"),)
    async with grpc.aio.secure_channel(f"127.0.0.1:{server.port}", credentials, options=options) as opened:
        stub = device_model_pb2_grpc.DeviceModelServiceStub(opened)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.GetStation(device_model_pb2.GetStationRequest(station_id="CS-1"), timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_a_certificate_of_another_ca_is_refused(server: GrpcServer, pki: DevPki, other_pki: DevPki) -> None:
    # The client trusts the server (our CA) but presents a `cli` certificate of another internal CA.
    pair = other_pki.internal("cli")
    mixed = GrpcTls(pki.internal_ca.certificate, pair.certificate, pair.key, "localhost")
    code, _ = await refusal(f"127.0.0.1:{server.port}", mixed)
    assert code == grpc.StatusCode.UNAVAILABLE


async def test_a_server_of_another_ca_is_not_trusted(server: GrpcServer, other_pki: DevPki) -> None:
    code, _ = await refusal(f"127.0.0.1:{server.port}", tls(other_pki, "cli"))
    assert code == grpc.StatusCode.UNAVAILABLE


async def test_a_plaintext_call_is_refused(server: GrpcServer) -> None:
    code, _ = await refusal(f"127.0.0.1:{server.port}", None)
    assert code == grpc.StatusCode.UNAVAILABLE


async def test_health_answers_every_internal_identity(server: GrpcServer, pki: DevPki) -> None:
    async with channel(f"127.0.0.1:{server.port}", tls(pki, "edge")) as opened:
        response = await health_pb2_grpc.HealthStub(opened).Check(
            health_pb2.HealthCheckRequest(service=SERVICE), timeout=5
        )
    assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_a_streaming_method_is_guarded_too(pki: DevPki) -> None:
    """Health's Watch (server streaming) behind an IdentityCheck that allows `cli` only."""
    server = grpc.aio.server(interceptors=[IdentityCheck({health.SERVICE_NAME: ["cli"]})])
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_secure_port("127.0.0.1:0", tls(pki, "device-model").server_credentials())
    await server.start()
    await servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    try:
        async with channel(f"127.0.0.1:{port}", tls(pki, "cli")) as opened:
            watch = health_pb2_grpc.HealthStub(opened).Watch(health_pb2.HealthCheckRequest(), timeout=5)
            first = await watch.read()
            watch.cancel()
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        async with channel(f"127.0.0.1:{port}", tls(pki, "edge")) as opened:
            watch = health_pb2_grpc.HealthStub(opened).Watch(health_pb2.HealthCheckRequest(), timeout=5)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await watch.read()
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await server.stop(None)
