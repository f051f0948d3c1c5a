"""A small simulator run over real WebSockets against a minimal CSMS that sets a station-wide 10 A
TxDefaultProfile after each boot: on every version the stations accept it and the power in their meter values is
held at it although their cars could draw 32 A (what a site-limit benchmark checks)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from kit.waiting import eventually, probe
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.runner import Simulator

LIMIT_A = 10.0
VERSIONS = {version.subprotocol: version for version in OcppVersion}


def tx_default(version: OcppVersion) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": LIMIT_A}],
    }
    profile: dict[str, Any] = {
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
    }
    if version is OcppVersion.V16:
        return {
            "connectorId": 0,
            "csChargingProfiles": profile | {"chargingProfileId": 1, "chargingSchedule": schedule},
        }
    return {"evseId": 0, "chargingProfile": profile | {"id": 1, "chargingSchedule": [schedule | {"id": 1}]}}


class MiniCsms:
    """Accepts boots, tokens and transactions; sends SetChargingProfile after each boot; records what arrives."""

    def __init__(self) -> None:
        self.received: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.answers: dict[str, dict[str, Any]] = {}

    async def handle(self, ws: ServerConnection) -> None:
        station_id = ws.request.path.rsplit("/", 1)[-1] if ws.request else ""
        version = VERSIONS[ws.subprotocol or ""]
        async for raw in ws:
            frame = json.loads(raw)
            if frame[0] == 3:
                self.answers[station_id] = frame[2]
                continue
            action, payload = frame[2], frame[3]
            validate(version, action, MessageKind.REQUEST, payload)
            self.received.setdefault(station_id, []).append((action, payload))
            answer: dict[str, Any] = {}
            if action == "BootNotification":
                answer = {"status": "Accepted", "currentTime": "2026-12-06T12:00:00Z", "interval": 300}
            elif action == "Authorize":
                answer = {"idTagInfo" if version is OcppVersion.V16 else "idTokenInfo": {"status": "Accepted"}}
            elif action == "StartTransaction":
                answer = {"transactionId": 100, "idTagInfo": {"status": "Accepted"}}
            await ws.send(json.dumps([3, frame[1], answer]))
            if action == "BootNotification":
                await ws.send(json.dumps([2, "p1", "SetChargingProfile", tx_default(version)]))

    def powers(self) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for station_id, calls in self.received.items():
            for action, payload in calls:
                if action not in ("MeterValues", "TransactionEvent"):
                    continue
                for value in payload.get("meterValue", []):
                    for sample in value["sampledValue"]:
                        if sample.get("measurand") == "Power.Active.Import":
                            found.setdefault(station_id, []).append(float(sample["value"]))
        return found


async def test_meter_values_of_every_version_stay_within_the_profile_set_over_the_socket() -> None:
    csms = MiniCsms()
    async with serve(csms.handle, "127.0.0.1", 0, subprotocols=list(VERSIONS)) as server:  # type: ignore[arg-type]
        port = next(iter(server.sockets)).getsockname()[1]
        config = Config(
            url=f"ws://127.0.0.1:{port}/ocpp",
            stations=3,
            mix=tuple((version, 1.0) for version in OcppVersion),
            scenarios=(Scenario.STEADY,),
            duration_s=60,
            rate=30,
            behaviour=Mix(start_probability=1.0, status_probability=0.0, session_length=3),
            progress_interval_s=60,
        )
        simulator = Simulator(config, out=lambda line: None)
        run = asyncio.create_task(simulator.run())
        try:
            powers = await eventually(
                probe(csms.powers),
                lambda seen: len(seen) == 3 and all(len(values) >= 4 for values in seen.values()),
                timeout_s=30,
                what="meter values with power from every station",
            )
        finally:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
            for station in simulator.stations:
                await station.close()
    assert csms.answers == {station.station_id: {"status": "Accepted"} for station in simulator.stations}
    for values in powers.values():
        assert set(values) == {LIMIT_A * 230 * 3}
