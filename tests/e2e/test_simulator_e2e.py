"""The station simulator against the whole stack: 50 stations (mixed versions) provisioned over gRPC, a boot
storm, then a short steady state with charging sessions; every CALL is answered, none times out."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from csms_devtools.stack import Stack
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.report import write_histogram
from loadtest.simulator.runner import Simulator

pytestmark = pytest.mark.e2e

STATIONS = 50
RATE = 25.0
DURATION_S = 8.0
# Answered by device-model; anything else may be NotSupported until its owning service exists.
DEVICE_MODEL_ACTIONS = ("BootNotification", "Heartbeat", "StatusNotification")


async def test_boot_storm_and_steady_state(stack: Stack, tmp_path: Path) -> None:
    config = Config(
        url=stack.config.edge_url(0),
        stations=STATIONS,
        station_prefix=f"SIM{uuid.uuid4().hex[:6]}-",
        scenarios=(Scenario.STEADY,),
        duration_s=DURATION_S,
        rate=RATE,
        behaviour=Mix(start_probability=0.2, session_length=3),
        call_timeout_s=20.0,
        storm_timeout_s=60.0,
        provision_address=stack.config.authorization_address,
        provision_tls=stack.config.grpc_tls(),
    )
    simulator = Simulator(config, out=lambda line: None)

    boot, steady = await simulator.run()

    assert (boot.phase, boot.connected, boot.boots_accepted) == ("boot-storm", STATIONS, STATIONS)
    assert boot.all_booted_after_s is not None
    assert boot.calls_by_action == {"BootNotification": STATIONS}
    assert (boot.results, boot.call_errors, boot.timeouts, boot.connect_failures) == (STATIONS, 0, 0, {})

    assert steady.phase == "steady"
    assert steady.timeouts == 0
    assert steady.closed_unexpectedly == 0
    assert steady.results + steady.call_errors == steady.calls
    assert RATE * DURATION_S * 0.6 < steady.calls < RATE * DURATION_S * 1.5
    assert steady.calls_by_action.get("Heartbeat", 0) > 0
    assert {"Authorize", "StartTransaction", "TransactionEvent"} & set(steady.calls_by_action)
    assert not [kind for kind in steady.call_errors_by_kind if kind.startswith(DEVICE_MODEL_ACTIONS)]

    picture = tmp_path / "latency.png"
    write_histogram(simulator.phases, picture, "e2e")
    assert picture.read_bytes().startswith(b"\x89PNG")
