"""`csms serve authorization` as a process, driven by `csms stations add|list|show|update|delete` and
`csms tokens show|delete` processes (real Cassandra and Kafka), over gRPC mutual TLS: the service with the
`authorization` certificate of a development PKI, the CLI with `cli`'s; passwords go to the CLI on stdin or in
`$CSMS_STATION_PASSWORD`, never on its command line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from csms_kernel.clients.channels import channel
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.pki.dev import DevPki, ensure_dev_pki
from infra_fixtures import Infra

pytestmark = pytest.mark.integration

CSMS = str(Path(sys.executable).with_name("csms"))
NO_DEVICE_MODEL = "127.0.0.1:1"  # nothing listens there


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


def tls_env(pki: DevPki, identity: str, prefix: str = "CSMS_GRPC_TLS") -> dict[str, str]:
    pair = pki.internal(identity)
    return {
        f"{prefix}_CA_FILE": str(pki.internal_ca.certificate),
        f"{prefix}_CERT_FILE": str(pair.certificate),
        f"{prefix}_KEY_FILE": str(pair.key),
        f"{prefix}_SERVER_NAME": "localhost",
    }


@pytest.fixture(scope="module")
async def service_env(infra: Infra, session: CassandraSession, pki: DevPki) -> AsyncIterator[dict[str, str]]:
    """Runs `csms serve authorization` until it reports SERVING, once for the module's tests (their ids are their
    own); yields the environment of the CLI calls."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    instance = f"it-cli-authorization-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CSMS_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CSMS_AUTHORIZATION_INSTANCE_ID": instance,
        "CSMS_CASSANDRA_CONTACT_POINTS": ",".join(infra.cassandra_contact_points),
        "CSMS_CASSANDRA_PORT": str(infra.cassandra_port),
        "CSMS_CASSANDRA_LOCAL_DC": infra.local_dc,
        "CSMS_AUTHORIZATION_GRPC_LISTEN": address,
        "CSMS_AUTHORIZATION_ADDRESS": address,
        "CSMS_DEVICE_MODEL_ADDRESS": NO_DEVICE_MODEL,
        **tls_env(pki, "authorization"),
        **tls_env(pki, "cli", "CSMS_CLI_GRPC_TLS"),
    }
    process = await asyncio.create_subprocess_exec(
        CSMS, "serve", "authorization", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        cli = pki.internal("cli")
        tls = GrpcTls(pki.internal_ca.certificate, cli.certificate, cli.key, "localhost")
        await wait_serving(address, tls, process, deadline=time.monotonic() + 60)
        yield env
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = output.decode()
    assert process.returncode == 0, log
    assert f"authorization {instance} serving gRPC on port {port}" in log
    assert f"authorization {instance} ready" in log
    assert f"authorization {instance} stopped" in log


async def wait_serving(address: str, tls: GrpcTls, process: asyncio.subprocess.Process, deadline: float) -> None:
    async with channel(address, tls) as opened:
        health = health_pb2_grpc.HealthStub(opened)
        while True:
            assert process.returncode is None, "the service exited"
            try:
                status = await health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if status.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            assert time.monotonic() < deadline, "the service did not report SERVING in time"
            await asyncio.sleep(0.1)


async def csms(env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        CSMS,
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_stations_add_then_list(service_env: dict[str, str]) -> None:
    # Other tests share the registry: ids are unique to this run, and only their lines are looked at.
    run = uuid.uuid4().hex[:6]
    one, two = f"CP-1-{run}", f"CP-2-{run}"
    assert await csms(service_env, "stations", "add", one, "--password-stdin", stdin="integration-pass-1\n") == (
        0,
        f"registered {one}\n",
        "",
    )
    assert await csms(
        service_env | {"CSMS_STATION_PASSWORD": "integration-pass-2"},
        *("stations", "add", one, "--password-env", "--security-profile", "2"),
    ) == (
        1,
        "",
        f"error: station {one} is registered already; nothing changed (change it with `csms stations update`)\n",
    )
    assert await csms(service_env, "stations", "update", one, "--security-profile", "2", "--disable") == (
        0,
        f"updated {one}\n",
        "",
    )
    assert await csms(
        service_env, "stations", "add", two, "--password-stdin", "--group", f"site-{run}", stdin="integration-pass-3"
    ) == (0, f"registered {two}\n", "")

    code, out, err = await csms(service_env, "stations", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "STATION",
        "PROFILE",
        "GROUP",
        "ENABLED",
        "VENDOR",
        "MODEL",
        "OCPP",
        "CONNECTED",
        "NODE",
        "LAST",
        "SEEN",
    ]
    assert [line.split() for line in lines if run in line] == [
        [one, "2", "-", "no", "-", "-", "-", "-", "-", "-"],
        [two, "1", f"site-{run}", "yes", "-", "-", "-", "-", "-", "-"],
    ]
    code, out, _ = await csms(service_env, "stations", "list", "--group", f"site-{run}")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == [two]
    assert err.startswith(f"warning: cannot reach the device-model service at {NO_DEVICE_MODEL} (")

    code, out, _ = await csms(service_env, "stations", "list", "--json")
    assert code == 0
    assert [
        (s["station_id"], s["registered"], s["security_profile"], s["group"], s["enabled"])
        for s in json.loads(out)
        if run in s["station_id"]
    ] == [
        (one, True, 2, None, False),
        (two, True, 1, f"site-{run}", True),
    ]

    code, out, err = await csms(service_env, "stations", "show", one, "--json")
    assert code == 0, err
    assert json.loads(out)["registration"]["enabled"] is False
    assert await csms(service_env, "stations", "delete", one) == (0, f"deleted {one}\n", "")
    assert await csms(service_env, "stations", "delete", one) == (1, "", f"error: station {one} not found\n")


async def test_stations_add_refused_by_the_service(service_env: dict[str, str]) -> None:
    assert await csms(service_env, "stations", "add", "CP:1", "--password-stdin", stdin="integration-pass-1") == (
        4,
        "",
        "error: station id allows only ASCII letters, digits and *-_=+|@., got ':'\n",
    )


async def test_tokens_show_then_delete(service_env: dict[str, str]) -> None:
    token = f"it-cli-{uuid.uuid4().hex[:8]}"
    assert await csms(service_env, "tokens", "add", token, "--type", "KeyCode", "--group", "G-CLI") == (
        0,
        f"added {token}\n",
        "",
    )
    code, out, err = await csms(service_env, "tokens", "show", token.upper(), "--json")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert (shown["id_token"], shown["type"], shown["status"], shown["group_id_token"]) == (
        token,
        "KeyCode",
        "Accepted",
        "G-CLI",
    )
    code, out, _ = await csms(service_env, "tokens", "show", token)
    assert code == 0
    assert out.splitlines()[:3] == [f"token:      {token}", "type:       KeyCode", "status:     Accepted"]

    assert await csms(service_env, "tokens", "delete", token) == (0, f"deleted {token}\n", "")
    not_found = (1, "", f"error: id token {token} not found\n")
    assert await csms(service_env, "tokens", "delete", token) == not_found
    assert await csms(service_env, "tokens", "show", token) == not_found
