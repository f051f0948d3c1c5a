"""End-to-end fixtures: the real Kafka/Cassandra (`infra`) and the whole stack as processes (`stack`).

The stack runs two instances of every service and two edge nodes (ws:// and wss:// with the session's `dev_pki`),
as production does, and one operator API (`stack.config.api_url`), on its own ports so it can run beside a `make
up` stack; `authorization` is a gRPC stub of its authorization service (any instance). `pnc` is the local Plug &
Charge world the stack's authorization service is pointed at (kit/pnc.py: an OCSP responder and a
contract-certificate provider on 127.0.0.1).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from csms.authorization.v1 import authorization_pb2_grpc
from csms_devtools.stack import Stack, StackConfig
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.pki.dev import DevPki
from infra_fixtures import Infra
from kit.api import api_client, create_key
from kit.pnc import PlugAndChargeWorld
from kit.stack import Cli, free_port

__all__ = ["Infra", "admin", "authorization", "cli", "keys", "operator", "pnc", "stack"]


@pytest.fixture(scope="session")
def pnc() -> Iterator[PlugAndChargeWorld]:
    with PlugAndChargeWorld.running() as world:
        yield world


@pytest.fixture(scope="session")
async def stack(
    infra: Infra, dev_pki: DevPki, tmp_path_factory: pytest.TempPathFactory, pnc: PlugAndChargeWorld
) -> AsyncIterator[Stack]:
    config = StackConfig(
        kafka_bootstrap=infra.kafka_bootstrap,
        cassandra_contact_points=",".join(infra.cassandra_contact_points),
        cassandra_port=infra.cassandra_port,
        cassandra_local_dc=infra.local_dc,
        edge_ports=(free_port(), free_port()),
        edge_tls_ports=(free_port(), free_port()),
        pki_dir=dev_pki.directory,
        edge_grpc_ports=(free_port(), free_port()),
        device_model_ports=(free_port(), free_port()),
        authorization_ports=(free_port(), free_port()),
        transactions_ports=(free_port(), free_port()),
        security_ports=(free_port(), free_port()),
        firmware_ports=(free_port(), free_port()),
        firmware_http_ports=(free_port(), free_port()),
        api_ports=(free_port(),),
        heartbeat_interval_s=60,
        run_dir=tmp_path_factory.mktemp("stack"),
        artifacts_dir=tmp_path_factory.mktemp("artifacts"),
        instance_prefix=f"e2e-{uuid.uuid4().hex[:6]}-",
        # a ring of 3 live events: a resumed SSE stream catches up through its own consumer (ADR 0022)
        extra_env={
            "CSMS_API_EVENTS_RING_EVENTS": "3",
            **pnc.env,
            # station certificates due for renewal as soon as issued, swept every second (security e2e)
            "CSMS_SECURITY_CERTIFICATE_DAYS": "1",
            "CSMS_SECURITY_RENEWAL_INTERVAL_S": "1",
            # Pending/Rejected boot answers told apart from the heartbeat interval (provisioning e2e)
            "CSMS_DEVICE_MODEL_BOOT_RETRY_INTERVAL_S": "45",
        },
    )
    running = Stack(config)
    running.start()
    try:
        await running.wait_ready(timeout_s=120)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def cli(stack: Stack) -> Cli:
    return Cli(stack)


@pytest.fixture
async def authorization(stack: Stack) -> AsyncIterator[authorization_pb2_grpc.AuthorizationServiceStub]:
    async with grpc_channel(stack.config.authorization_address, stack.config.grpc_tls()) as channel:
        yield authorization_pb2_grpc.AuthorizationServiceStub(channel)


@pytest.fixture(scope="module")
def keys(cli: Cli) -> dict[str, str]:
    """An admin and an operate API key (per module)."""
    return {scope: create_key(cli, scope) for scope in ("admin", "operate")}


@pytest.fixture
async def admin(stack: Stack, keys: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(stack, keys["admin"]) as http:
        yield http


@pytest.fixture
async def operator(stack: Stack, keys: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(stack, keys["operate"]) as http:
        yield http
