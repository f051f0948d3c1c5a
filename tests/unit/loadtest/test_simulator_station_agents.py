"""The runner's stations answer smart-charging and reservation CALLs through their agents, sharing state with
their behaviour: a profile set over the socket limits the meter values, a reservation is reported Reserved."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.composite import Electrical
from loadtest.simulator.config import Config
from loadtest.simulator.runner import Simulator
from loadtest.simulator.stats import PhaseStats

AT = "2026-12-06T12:00:00.000Z"


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[list[Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def close(self) -> None:
        return None


async def test_a_runner_station_applies_profiles_and_reservations_from_the_csms() -> None:
    config = Config(
        stations=1,
        mix=((OcppVersion.V201, 1.0),),
        behaviour=Mix(start_probability=1.0, status_probability=0.0, session_length=5),
        electrical=Electrical(230.0, 3, 32.0),
        car_max_current=16.0,
        car_phases=1,
    )
    simulator = Simulator(config)
    simulator.phases.append(PhaseStats("steady", 0.0))
    station = simulator.stations[0]
    station._clock = lambda: AT
    ws = FakeSocket()
    station._ws = ws  # type: ignore[assignment]
    profile = {
        "id": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": 1,
                "startSchedule": AT,
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1150.0}],
            }
        ],
    }
    await station._on_frame(ws, [2, "c1", "SetChargingProfile", {"evseId": 1, "chargingProfile": profile}])  # type: ignore[arg-type]
    assert ws.sent[-1] == [3, "c1", {"status": "Accepted"}]
    reserve = {"id": 4, "expiryDateTime": "2026-12-06T13:00:00Z", "idToken": {"idToken": "X", "type": "ISO14443"}}
    await station._on_frame(ws, [2, "c2", "ReserveNow", reserve])  # type: ignore[arg-type]
    assert ws.sent[-1] == [3, "c2", {"status": "Accepted"}]
    for _ in range(20):
        if len(ws.sent) == 3:
            break
        await asyncio.sleep(0.01)
    assert ws.sent[2][2:] == [
        "StatusNotification",
        {"timestamp": AT, "connectorStatus": "Reserved", "evseId": 1, "connectorId": 1},
    ]
    await station._on_frame(ws, [3, ws.sent[2][1], {}])  # type: ignore[arg-type]
    await station._on_frame(ws, [2, "c3", "CancelReservation", {"reservationId": 4}])  # type: ignore[arg-type]
    assert ws.sent[-1] == [3, "c3", {"status": "Accepted"}]
    behaviour = station.behaviour
    for _ in range(3):  # Authorize, Started, Updated
        action, payload = behaviour.next_message(AT)
        validate(OcppVersion.V201, action, MessageKind.REQUEST, payload)
    assert behaviour.last_draw is not None
    assert (behaviour.last_draw.watts, behaviour.last_draw.amps, behaviour.last_draw.phases) == (1150.0, 5.0, 1)
    assert simulator.drawn_watts() == 1150.0
    await station.close()
