"""The internal gRPC surface of the whole stack over mutual TLS (ADR 0029, review finding #1): the CLI, the API,
the edge and device-model work with their own certificates; every service port refuses a caller without a client
certificate, in plaintext or with a certificate of another CA (UNAVAILABLE: no TLS session), and an internal
identity a service does not allow (PERMISSION_DENIED, logged as a security event)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.edge.v1 import edge_pb2, edge_pb2_grpc
from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.pki.dev import ensure_dev_pki
from kit.api import api_client, create_key
from kit.stack import CSMS, PASSWORD, Cli, connected, register
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e


def grpc_addresses(stack: Stack) -> list[str]:
    """Every gRPC port of the stack: each instance of each service and each edge node."""
    return [spec.grpc_address for spec in stack.specs if spec.grpc_address]


async def test_every_process_runs_with_its_own_certificate(stack: Stack) -> None:
    for spec in stack.specs:
        assert spec.env["CSMS_GRPC_TLS_CERT_FILE"].endswith(f"/internal/{spec.service}.pem"), spec.name


async def test_the_cli_the_api_the_edge_and_device_model_work_over_mutual_tls(stack: Stack, cli: Cli) -> None:
    station_id = f"E2E-MTLS-{uuid.uuid4().hex[:8]}"
    register(cli, station_id)  # CLI -> authorization
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as station:
        # edge -> authorization (the handshake), device-model answering the boot
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        # CLI -> device-model -> edge node -> station
        called = await asyncio.to_thread(cli, "call", station_id, "TriggerMessage", '{"requestedMessage": "Heartbeat"}')
        assert called.returncode == 0, called.stderr
        assert json.loads(called.stdout)["status"] == "Accepted"
    key = create_key(cli, "read")
    async with api_client(stack, key) as http:  # API -> authorization and device-model
        answer = await http.get(f"/api/v1/stations/{station_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["station_id"] == station_id


@pytest.mark.parametrize("client", ["no client certificate", "plaintext"])
async def test_every_grpc_port_refuses_a_caller_without_a_client_certificate(stack: Stack, client: str) -> None:
    for address in grpc_addresses(stack):
        if client == "plaintext":
            opened = grpc.aio.insecure_channel(address)
        else:
            ca = (stack.config.pki_dir or Path()) / "internal-ca.pem"
            credentials = grpc.ssl_channel_credentials(root_certificates=ca.read_bytes())
            options = (("grpc.ssl_target_name_override", "localhost"),)
            opened = grpc.aio.secure_channel(address, credentials, options=options)
        async with opened:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await health_pb2_grpc.HealthStub(opened).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, address


async def test_every_grpc_port_refuses_a_certificate_of_another_ca(stack: Stack, tmp_path: Path) -> None:
    other = ensure_dev_pki(tmp_path / "other-pki").internal("cli")
    assert stack.config.pki_dir is not None
    impostor = GrpcTls(stack.config.pki_dir / "internal-ca.pem", other.certificate, other.key, "localhost")
    for address in grpc_addresses(stack):
        async with channel(address, impostor) as opened:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await health_pb2_grpc.HealthStub(opened).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, address


async def test_an_identity_a_service_does_not_allow_is_refused_and_logged(stack: Stack) -> None:
    config = stack.config
    async with channel(config.device_model_address, config.grpc_tls("edge")) as opened:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await device_model_pb2_grpc.DeviceModelServiceStub(opened).GetStation(
                device_model_pb2.GetStationRequest(station_id="CS-1"), timeout=5
            )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert refused.value.details() == (
        "identity 'edge' may not call /csms.device_model.v1.DeviceModelService/GetStation"
    )
    async with channel(config.device_model_address, config.grpc_tls("edge")) as opened:  # its one grant (ADR 0031)
        request = device_model_pb2.GetStationProvisioningRequest(station_id="CS-1")
        await device_model_pb2_grpc.DeviceModelServiceStub(opened).GetStationProvisioning(request, timeout=5)
    async with channel(config.transactions_address, config.grpc_tls("edge")) as opened:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await transactions_pb2_grpc.TransactionsServiceStub(opened).ListTransactions(
                transactions_pb2.ListTransactionsRequest(), timeout=5
            )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # An operator's CLI certificate cannot drive a station through an edge node directly.
    async with channel(config.edge_grpc_address(0), config.grpc_tls("cli")) as opened:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await edge_pb2_grpc.EdgeServiceStub(opened).SendCall(
                edge_pb2.SendCallRequest(station_id="CS-1", action="Reset", payload_json="{}"), timeout=5
            )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    async def refusals_logged() -> list[str]:
        logs = [stack.log_tail(name, 500) for name in config.instance_names("device-model")]
        return [line for log in logs for line in log.splitlines() if "security_event=grpc_call_refused" in line]

    await eventually(
        refusals_logged,
        lambda lines: any(
            "identity=edge method=/csms.device_model.v1.DeviceModelService/GetStation" in line for line in lines
        ),
        timeout_s=10,
        what="device-model's security event of the refused call",
    )


def test_the_cli_with_a_certificate_of_another_ca_cannot_reach_the_services(stack: Stack, tmp_path: Path) -> None:
    other = ensure_dev_pki(tmp_path / "other-pki")
    env = {
        **os.environ,
        "CSMS_AUTHORIZATION_ADDRESS": stack.config.authorization_address,
        "CSMS_DEVICE_MODEL_ADDRESS": stack.config.device_model_address,
        "CSMS_CLI_GRPC_TLS_CA_FILE": str(other.internal_ca.certificate),
        "CSMS_CLI_GRPC_TLS_CERT_FILE": str(other.internal("cli").certificate),
        "CSMS_CLI_GRPC_TLS_KEY_FILE": str(other.internal("cli").key),
        "CSMS_CLI_GRPC_TLS_SERVER_NAME": "localhost",
    }
    result = subprocess.run([CSMS, "stations", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 5, result.stderr
    assert f"cannot reach the authorization service at {stack.config.authorization_address}" in result.stderr
