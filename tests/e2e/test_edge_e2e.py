"""The edge on the real stack: malformed frames, refused handshakes, and a station moving between nodes."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.stack import PASSWORD, Cli, get_station, register
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually
from loadtest.station_socket import basic_auth


@pytest.mark.parametrize(
    ("version", "frame", "expected"),
    [
        (OcppVersion.V16, "this is not json", [4, "-1", "FormationViolation"]),
        (OcppVersion.V201, "this is not json", [4, "-1", "RpcFrameworkError"]),
        (OcppVersion.V201, '[7,"x1","Heartbeat",{}]', [4, "x1", "MessageTypeNotSupported"]),
        (OcppVersion.V21, '[2,"x2","Heartbeat"]', [4, "x2", "RpcFrameworkError"]),
        (OcppVersion.V201, '[2,"x3","Heartbeat",{"unexpected":true}]', [4, "x3", "FormatViolation"]),
        (OcppVersion.V16, '[2,"x4","BootNotification",{}]', [4, "x4", "OccurenceConstraintViolation"]),
        (OcppVersion.V201, '[2,"x5","NoSuchAction",{}]', [4, "x5", "NotImplemented"]),
    ],
)
async def test_malformed_frames_get_the_right_callerror_and_the_connection_keeps_working(
    stack: Stack, cli: Cli, version: OcppVersion, frame: str, expected: list[object]
) -> None:
    station_id = f"E2E-BAD-{uuid.uuid4().hex[:8]}"
    register(cli, station_id)
    async with websockets.connect(
        f"{stack.config.edge_url(0)}/{station_id}",
        subprotocols=[version.subprotocol],  # type: ignore[list-item]
        additional_headers={"Authorization": basic_auth(station_id, PASSWORD)},
    ) as ws:
        await ws.send(frame)
        answer = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert answer[:3] == expected and isinstance(answer[3], str) and answer[4] is not None
        await ws.send('[2,"ok-1","Heartbeat",{}]')
        heartbeat = json.loads(await asyncio.wait_for(ws.recv(), 20))
        assert heartbeat[:2] == [3, "ok-1"] and "currentTime" in heartbeat[2]


@pytest.mark.parametrize(
    ("station", "password", "status"),
    [
        ("registered", "wrong-password-123456", 401),
        ("unknown", PASSWORD, 401),
        ("registered", None, 401),
    ],
)
async def test_refused_handshakes(stack: Stack, cli: Cli, station: str, password: str | None, status: int) -> None:
    station_id = f"E2E-AUTH-{uuid.uuid4().hex[:8]}"
    if station == "registered":
        register(cli, station_id)
    headers = {"Authorization": basic_auth(station_id, password)} if password else {}
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            f"{stack.config.edge_url(0)}/{station_id}",
            subprotocols=["ocpp1.6"],
            additional_headers=headers,  # type: ignore[list-item]
        )
    assert refused.value.response.status_code == status


async def test_no_common_subprotocol_is_refused(stack: Stack, cli: Cli) -> None:
    station_id = f"E2E-PROTO-{uuid.uuid4().hex[:8]}"
    register(cli, station_id)
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            f"{stack.config.edge_url(0)}/{station_id}",
            subprotocols=["ocpp1.5"],  # type: ignore[list-item]
            additional_headers={"Authorization": basic_auth(station_id, PASSWORD)},
        )
    assert refused.value.response.status_code == 400


@pytest.mark.parametrize(
    "key",
    [bytes.fromhex("ff00a1b2c3d4e5f60718293a4b5c6d7e8f901234"), b"printable-key-16"],
    ids=["binary", "utf8-bytes"],
)
async def test_an_ocpp16_authorization_key_registered_as_hex_connects_with_its_raw_bytes_or_its_hex(
    stack: Stack, cli: Cli, key: bytes
) -> None:
    station_id = f"E2E-KEY-{uuid.uuid4().hex[:8]}"
    result = cli("stations", "add", station_id, "--password-hex", "--password-stdin", stdin=key.hex().upper())
    assert result.returncode == 0, result.stderr
    raw = "Basic " + base64.b64encode(station_id.encode() + b":" + key).decode()
    for authorization in (raw, basic_auth(station_id, key.hex())):
        async with websockets.connect(
            f"{stack.config.edge_url(0)}/{station_id}",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers={"Authorization": authorization},
        ) as ws:
            await ws.send('[2,"hb-1","Heartbeat",{}]')
            answer = json.loads(await asyncio.wait_for(ws.recv(), 20))
            assert answer[:2] == [3, "hb-1"]
    wrong = "Basic " + base64.b64encode(station_id.encode() + b":" + key[:-1] + b"\x00").decode()
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            f"{stack.config.edge_url(0)}/{station_id}",
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
            additional_headers={"Authorization": wrong},
        )
    assert refused.value.response.status_code == 401


async def test_commands_follow_a_station_across_edge_nodes(stack: Stack, cli: Cli) -> None:
    station_id = f"E2E-MOVE-{uuid.uuid4().hex[:8]}"
    register(cli, station_id)
    trigger = json.dumps({"requestedMessage": "Heartbeat"})
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, OcppVersion.V201) as on_first:
        await on_first.boot()
        await eventually(
            lambda: get_station(stack, station_id),
            lambda s: s is not None and s.edge_node_id == stack.config.edge_node_id(0),
        )
        first = await asyncio.to_thread(cli, "call", station_id, "TriggerMessage", trigger)
        assert first.returncode == 0, first.stderr
        assert [name for name, _ in on_first.received.calls] == ["TriggerMessage"]

        # The station reconnects to the other node while its old socket is still open.
        async with connected_station(stack.config.edge_url(1), station_id, PASSWORD, OcppVersion.V201) as on_second:
            await on_second.boot()
            await eventually(
                lambda: get_station(stack, station_id),
                lambda s: s is not None and s.connected and s.edge_node_id == stack.config.edge_node_id(1),
                what="presence on edge-2",
            )
            # The old connection is closed by edge-1 on the device-model's request.
            await eventually(
                lambda: asyncio.sleep(0, on_first._connection.state.name),
                lambda state: state == "CLOSED",
                what="old connection closed",
            )
            second = await asyncio.to_thread(cli, "call", station_id, "TriggerMessage", trigger)
            assert second.returncode == 0, second.stderr
            assert [name for name, _ in on_second.received.calls] == ["TriggerMessage"]
            assert len(on_first.received.calls) == 1
