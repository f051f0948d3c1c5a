"""Live events end to end: stations of every OCPP version connect, boot, report a status, answer an operator
command, charge and leave on the real stack, and an SSE client of the stack's API, `GET /api/v1/events` with a
read key, sees each of it once, in order per station and source, though it hangs up in the middle and resumes
with its last id (the e2e API keeps a ring of 3 events, so the resume goes through a catch-up consumer).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from ocpp.v16 import call as call16

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import api_client, create_key
from kit.live_events_server import SseStream
from kit.stack import Cli, connected
from kit.stations.ocpp_client import connected_station

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery-staple"
RUN = uuid.uuid4().hex[:8].upper()
TOKEN = f"LIVE-{RUN}"


async def register(stack: Stack, station_id: str) -> None:
    async with grpc_channel(stack.config.authorization_address, stack.config.grpc_tls()) as channel:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        await stub.RegisterStation(
            authorization_pb2.RegisterStationRequest(station_id=station_id, password=PASSWORD, security_profile=1),
            timeout=10,
        )
        await stub.UpsertIdToken(
            authorization_pb2.UpsertIdTokenRequest(
                id_token=TOKEN, type=authorization_pb2.ID_TOKEN_TYPE_ISO14443,
                status=authorization_pb2.ID_TOKEN_STATUS_ACCEPTED,
            ),
            timeout=10,
        )  # fmt: skip


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def boot_report_and_obey(stack: Stack, version: OcppVersion, station_id: str) -> None:
    """Connects, boots, reports a status, then gets an operator command (clear-cache) and answers it."""
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await station.boot()
        await station.status(1, "Available")
        await connected(stack, station_id)
        async with grpc_channel(stack.config.device_model_address, stack.config.grpc_tls()) as channel:
            stub = device_model_pb2_grpc.DeviceModelServiceStub(channel)
            request = device_model_pb2.SendCommandRequest(
                station_id=station_id, command="clear-cache", params_json="{}", timeout_ms=15_000, wait=True
            )
            sent = await stub.SendCommand(request, timeout=30)
        assert sent.command.state == device_model_pb2.COMMAND_STATE_ANSWERED


async def charge(stack: Stack, version: OcppVersion, station_id: str) -> None:
    async with connected_station(stack.config.edge_url(1), station_id, PASSWORD, version) as station:
        if version is OcppVersion.V16:
            started = await station.call(
                call16.StartTransaction(connector_id=1, id_tag=TOKEN, meter_start=0, timestamp=now())
            )
            await station.call(
                call16.StopTransaction(meter_stop=5000, timestamp=now(), transaction_id=started.transaction_id)
            )
            return
        info = {"transaction_id": f"tx-{station_id}"}
        id_token = {"id_token": TOKEN, "type": "ISO14443"}
        for seq_no, (kind, trigger) in enumerate(
            (("Started", "Authorized"), ("Updated", "ChargingStateChanged"), ("Ended", "StopAuthorized"))
        ):
            extra = {"id_token": id_token, "evse": {"id": 1, "connector_id": 1}} if kind == "Started" else {}
            await station.call(
                station.calls.TransactionEvent(
                    event_type=kind, timestamp=now(), trigger_reason=trigger, seq_no=seq_no, transaction_info=info,
                    **extra,
                )
            )  # fmt: skip


def source(event_type: str) -> str:
    if event_type in ("station.connected", "station.disconnected"):
        return "frames"
    return "transactions" if event_type.startswith("transaction.") else "device_model"


async def test_a_client_that_hangs_up_and_resumes_sees_every_station_event_once(stack: Stack, cli: Cli) -> None:
    stations = {version: f"LIVE-{RUN}-{version.name}" for version in OcppVersion}
    mine = set(stations.values())
    await asyncio.gather(*(register(stack, station_id) for station_id in mine))
    query = "&".join(f"station_id={station_id}" for station_id in sorted(mine))
    async with api_client(stack, create_key(cli, "read")) as client:
        first = SseStream(client, f"/api/v1/events?{query}")
        await first.opened()
        await asyncio.gather(*(boot_report_and_obey(stack, v, s) for v, s in stations.items()))
        # per station: connected, booted, status changed, command queued, sent, answered (then disconnected)
        await first.wait(mine, 3 * 6)
        last_id = await first.close()
        assert last_id is not None

        await asyncio.gather(*(charge(stack, v, s) for v, s in stations.items()))
        resumed = SseStream(client, f"/api/v1/events?{query}", headers={"Last-Event-ID": last_id})
        # 7 + connected, disconnected + a session (1.6: started, ended; 2.x: started, updated, ended)
        expected_total = 3 * 7 + 3 * 2 + 2 + 3 + 3
        await resumed.wait(mine, expected_total - len(first.events(mine)), timeout_s=60)
        await asyncio.sleep(1)  # anything repeated would show now
        received = first.events(mine) + resumed.events(mine)
        await resumed.close()

    keys = [
        (d["station_id"], kind, d.get("message_id") or d.get("command_id") or d["connection_id"])
        for kind, d in received
    ]
    assert len(keys) == len(set(keys)), "an event was repeated"
    for version, station_id in stations.items():
        kinds = {name: [k for k, d in received if d["station_id"] == station_id and source(k) == name]
                 for name in ("frames", "device_model", "transactions")}  # fmt: skip
        session = ["transaction.started", "transaction.ended"]
        if version is not OcppVersion.V16:
            session.insert(1, "transaction.updated")
        assert kinds == {
            "frames": ["station.connected", "station.disconnected"] * 2,
            "device_model": [
                "station.booted",
                "connector.status_changed",
                "command.queued",
                "command.sent",
                "command.answered",
            ],
            "transactions": session,
        }, station_id
        booted = next(d for k, d in received if d["station_id"] == station_id and k == "station.booted")
        assert booted["ocpp_version"] == version.subprotocol.removeprefix("ocpp")
        answered = next(d for k, d in received if d["station_id"] == station_id and k == "command.answered")
        assert (answered["command"], answered["state"], answered["result"]["status"]) == (
            "clear-cache",
            "answered",
            "accepted",
        )
