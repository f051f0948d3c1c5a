"""Secrets never reach a log (review findings #9 and #11): a stack of its own at DEBUG with a password pepper;
stations registered and re-keyed through the real CLI (passwords on stdin and in the environment, never on
argv), a 2.0.1 station connecting with its password and given a new one by `csms command set-password`, a 1.6
station with its AuthorizationKey as raw bytes and as hex, a refused handshake with a wrong password; then no
process log holds a password, a key (hex or raw), a Basic credential or the pepper."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator

import pytest
import websockets
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from infra_fixtures import Infra
from kit.stack import Cli, connected, one_instance_config
from kit.stations.ocpp_client import connected_station

pytestmark = pytest.mark.e2e

PEPPER = "pepper-that-must-never-be-logged"
PASSWORD = "a-2.0.1-password-never-logged"
NEW_PASSWORD = "the-rotated-password-never-logged"
STATION_PASSWORD = "sent-to-the-station-never-logged"
KEY = bytes.fromhex("c0ffee00a1b2c3d4e5f60718293a4b5c6d7e8f90")  # a 1.6 AuthorizationKey (20 bytes)


@pytest.fixture(scope="module")
async def debug_stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    config = one_instance_config(
        infra,
        run_dir=tmp_path_factory.mktemp("debug-stack"),
        pki_dir=tmp_path_factory.mktemp("debug-pki"),
        instance_prefix=f"secrets-{uuid.uuid4().hex[:6]}-",
        extra_env={"CSMS_LOG_LEVEL": "DEBUG", "CSMS_AUTHORIZATION_PASSWORD_PEPPER": PEPPER},
    )
    running = Stack(config)
    running.start()
    try:
        await running.wait_ready(timeout_s=120)
        yield running
    finally:
        running.stop()


def basic(station_id: str, password: bytes) -> str:
    return "Basic " + base64.b64encode(station_id.encode() + b":" + password).decode()


def secrets(station_16: str, station_201: str) -> dict[str, bytes]:
    """Each secret in every form a log line could carry it."""
    forms = {
        "pepper": PEPPER.encode(),
        "password": PASSWORD.encode(),
        "rotated password": NEW_PASSWORD.encode(),
        "password sent to the station": STATION_PASSWORD.encode(),
        "key (hex)": KEY.hex().encode(),
        "key (HEX)": KEY.hex().upper().encode(),
        "key (raw bytes)": KEY,
        "key (bytes as text)": repr(KEY)[2:-1].encode(),
    }
    for station_id, password in ((station_201, PASSWORD.encode()), (station_16, KEY), (station_16, KEY.hex().encode())):
        forms[f"Basic credential of {station_id}"] = basic(station_id, password).removeprefix("Basic ").encode()
    return forms


def read_logs(stack: Stack) -> dict[str, bytes]:
    """Each process's log by process name."""
    return {spec.name: (stack.config.run_dir / f"{spec.name}.log").read_bytes() for spec in stack.specs}


async def test_no_password_key_or_pepper_reaches_any_log(debug_stack: Stack) -> None:
    cli = Cli(debug_stack)
    run = uuid.uuid4().hex[:6].upper()
    station_201, station_16 = f"SECRETS-201-{run}", f"SECRETS-16-{run}"
    added = await asyncio.to_thread(cli, "stations", "add", station_201, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    added = await asyncio.to_thread(
        cli, "stations", "add", station_16, "--password-hex", "--password-stdin", stdin=KEY.hex().upper()
    )
    assert added.returncode == 0, added.stderr

    async with connected_station(debug_stack.config.edge_url(0), station_201, PASSWORD, OcppVersion.V201) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(debug_stack, station_201)
        # the operator sets a new password on the station (SetVariables SecurityCtrlr.BasicAuthPassword)
        sent = await asyncio.to_thread(
            cli, "command", "set-password", station_201, "--password-stdin", stdin=STATION_PASSWORD + "\n"
        )
        assert sent.returncode == 0, sent.stderr
    for password in (KEY, KEY.hex().encode()):
        async with websockets.connect(
            f"{debug_stack.config.edge_url(0)}/{station_16}",
            subprotocols=[Subprotocol("ocpp1.6")],
            additional_headers=Headers(Authorization=basic(station_16, password)),
        ) as socket:
            assert socket.subprotocol == "ocpp1.6"
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            f"{debug_stack.config.edge_url(0)}/{station_201}",
            subprotocols=[Subprotocol("ocpp2.0.1")],
            additional_headers=Headers(Authorization=basic(station_201, NEW_PASSWORD.encode())),
        ):
            pass
    assert refused.value.response.status_code == 401
    rotated = await asyncio.to_thread(
        lambda: cli("stations", "update", station_201, "--password-env", env={"CSMS_STATION_PASSWORD": NEW_PASSWORD})
    )
    assert rotated.returncode == 0, rotated.stderr

    logs = await asyncio.to_thread(read_logs, debug_stack)
    assert set(logs) == {spec.name for spec in debug_stack.specs}
    assert any(b" DEBUG " in log for log in logs.values()), "the stack did not log at DEBUG"
    leaks = [
        f"{what} in {name}"
        for what, secret in secrets(station_16, station_201).items()
        for name, log in logs.items()
        if secret in log
    ]
    assert leaks == []
