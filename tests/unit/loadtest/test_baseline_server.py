"""The naive baseline CSMS (`loadtest.baseline_server`) answers the simulator's steady traffic on every version,
validated by the `ocpp` package, keeping nothing but a transaction counter."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, serve
from websockets.typing import Subprotocol

from loadtest.baseline_server import STATIONS, handle

V2_TOKEN = {"idToken": "T1", "type": "ISO14443"}
CALLS = {
    "ocpp1.6": [
        ("BootNotification", {"chargePointVendor": "ACME", "chargePointModel": "M"}, "status", "Accepted"),
        ("Authorize", {"idTag": "T1"}, "idTagInfo", {"status": "Accepted"}),
        (
            "StartTransaction",
            {"connectorId": 1, "idTag": "T1", "meterStart": 0, "timestamp": "2026-12-06T12:00:00Z"},
            "idTagInfo",
            {"status": "Accepted"},
        ),
        ("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"}, None, None),
    ],
    "ocpp2.0.1": [
        (
            "BootNotification",
            {"chargingStation": {"vendorName": "A", "model": "M"}, "reason": "PowerUp"},
            "status",
            "Accepted",
        ),
        ("Authorize", {"idToken": V2_TOKEN}, "idTokenInfo", {"status": "Accepted"}),
        (
            "TransactionEvent",
            {
                "eventType": "Started",
                "timestamp": "2026-12-06T12:00:00Z",
                "triggerReason": "Authorized",
                "seqNo": 0,
                "transactionInfo": {"transactionId": "tx-1"},
                "idToken": V2_TOKEN,
            },
            "idTokenInfo",
            {"status": "Accepted"},
        ),
    ],
    "ocpp2.1": [("Heartbeat", {}, "currentTime", None)],
}


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with serve(handle, "127.0.0.1", 0, subprotocols=[Subprotocol(name) for name in STATIONS]) as running:
        yield running


@pytest.mark.parametrize("subprotocol", list(CALLS))
async def test_it_answers_the_steady_traffic(server: Server, subprotocol: str) -> None:
    port = next(iter(server.sockets)).getsockname()[1]
    async with connect(f"ws://127.0.0.1:{port}/ocpp/CS-1", subprotocols=[Subprotocol(subprotocol)]) as station:
        for n, (action, payload, field, expected) in enumerate(CALLS[subprotocol]):
            await station.send(json.dumps([2, f"m{n}", action, payload]))
            message_type, message_id, answer = json.loads(await station.recv())
            assert (message_type, message_id) == (3, f"m{n}"), answer
            if field is not None:
                assert field in answer and (expected is None or answer[field] == expected)
