"""Load management end to end (docs/adr/0042): a site of 10 simulated stations (1.6 and 2.0.1, one EVSE each) under
a limit, defined through the smart-charging gRPC API once they are connected. Every EVSE first gets the site's
TxDefaultProfile (0 A: a car waits for its own TxProfile); then sessions start and stop at random for about a
minute while the sum of what the stations' cars draw (what their meter values report: the composite schedule of
each EVSE at that moment, capped by the car) is sampled every 50 ms and never exceeds the site's limit; then the
limit is lowered through the API and the stations' limits follow within seconds, and hold there."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from csms.smart_charging.v1 import smart_charging_pb2, smart_charging_pb2_grpc
from csms_devtools.stack import Stack
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.ocpp.versions import OcppVersion
from kit.waiting import eventually, probe
from loadtest.simulator.behaviour import EVSE, Behaviour, Mix, State
from loadtest.simulator.composite import Purpose
from loadtest.simulator.config import Config, Scenario, parse_mix
from loadtest.simulator.runner import Simulator

pytestmark = pytest.mark.e2e

STATIONS = 10
LIMIT_A = 40.0
LOWERED_A = 15.0
SESSIONS_S = 60.0
FOLLOW_S = 10.0
HOLD_S = 8.0
SAMPLE_S = 0.05
TOLERANCE_A = 0.05  # limits are rounded to 0.1 A; the simulator's float arithmetic
# Sessions on (so the stations' id tokens are provisioned), none starting until the TxDefaultProfiles are in.
QUIET = Mix(sessions=True, start_probability=0.0, status_probability=0.0, session_length=12)
MIX = dataclasses.replace(QUIET, start_probability=0.25)


def drawn_a(behaviour: Behaviour, now: datetime) -> float:
    """What the station's car draws now, per phase: what its next meter values report."""
    profiles = behaviour.profiles
    if behaviour.state is not State.CHARGING or profiles is None or EVSE not in profiles.sessions:
        return 0.0
    limit = profiles.limit(EVSE, now)
    phases = min(behaviour.car_phases, limit.phases)
    electrical = profiles.electrical
    return min(behaviour.car_max_current, electrical.max_current, electrical.amps(limit.watts, phases))


def has_tx_default(behaviour: Behaviour) -> bool:
    return behaviour.profiles is not None and any(
        profile.purpose is Purpose.TX_DEFAULT for profile in behaviour.profiles.profiles()
    )


@dataclasses.dataclass
class Sampler:
    """The sum of the cars' draws, every SAMPLE_S, against the limit in force (a lowered limit counts once the
    stations followed it)."""

    simulator: Simulator
    limit_a: float
    samples: int = 0
    peak_a: float = 0.0
    over: list[tuple[float, float, float, list[tuple[str, float]]]] = dataclasses.field(default_factory=list)
    charging_seen: int = 0

    def total(self) -> float:
        now = datetime.now(UTC)
        return sum(drawn_a(station.behaviour, now) for station in self.simulator.stations)

    async def run(self) -> None:
        while True:
            total = self.total()
            self.samples += 1
            self.peak_a = max(self.peak_a, total)
            self.charging_seen = max(
                self.charging_seen,
                sum(1 for s in self.simulator.stations if s.behaviour.state is State.CHARGING),
            )
            if total > self.limit_a + TOLERANCE_A:
                now = datetime.now(UTC)
                draws = [(s.station_id, round(drawn_a(s.behaviour, now), 1)) for s in self.simulator.stations]
                self.over.append((time.monotonic(), total, self.limit_a, [d for d in draws if d[1] > 0]))
            await asyncio.sleep(SAMPLE_S)


def diagnosis(simulator: Simulator, running: asyncio.Task[object]) -> str:
    phase = simulator.phase()
    ended = running.exception() if running.done() and not running.cancelled() else None
    states = [(s.station_id, s.behaviour.state.value, s.is_open) for s in simulator.stations]
    return (
        f"simulator ended: {running.done()} {ended!r}; calls {dict(phase.calls)}; errors {dict(phase.errors)}; {states}"
    )


@pytest.fixture
async def sites(stack: Stack) -> AsyncIterator[smart_charging_pb2_grpc.SmartChargingServiceStub]:
    async with grpc_channel(stack.config.smart_charging_address, stack.config.grpc_tls()) as channel:
        yield smart_charging_pb2_grpc.SmartChargingServiceStub(channel)


async def test_a_site_holds_its_limit_while_sessions_come_and_go_and_follows_a_new_limit(
    stack: Stack, sites: smart_charging_pb2_grpc.SmartChargingServiceStub
) -> None:
    config = Config(
        url=stack.config.edge_url(0),
        stations=STATIONS,
        station_prefix=f"LM{uuid.uuid4().hex[:6]}-",
        mix=parse_mix("1.6=50,2.0.1=50"),
        scenarios=(Scenario.STEADY,),
        duration_s=SESSIONS_S + FOLLOW_S + HOLD_S + 60.0,
        rate=STATIONS * 1.0,
        behaviour=QUIET,
        call_timeout_s=20.0,
        storm_timeout_s=60.0,
        provision_address=stack.config.authorization_address,
        provision_tls=stack.config.grpc_tls(),
    )
    steady = asyncio.Event()

    def on_phase(name: str) -> None:
        if name == "steady":
            steady.set()

    simulator = Simulator(config, out=lambda line: None, on_phase=on_phase)
    assert {station.version for station in simulator.stations} == {OcppVersion.V16, OcppVersion.V201}
    running = asyncio.create_task(simulator.run())
    sampler = Sampler(simulator, LIMIT_A)
    sampling: asyncio.Task[None] | None = None
    try:
        await asyncio.wait_for(steady.wait(), timeout=90)
        site_id = f"site-{uuid.uuid4().hex[:8]}"
        definition = {
            "name": "e2e depot",
            "limit": LIMIT_A,
            "unit": "A",
            "idle_limit_a": 0,
            "evses": [
                {"station_id": station.station_id, "evse_id": EVSE, "phases": 3, "min_a": 6, "max_a": 32}
                for station in simulator.stations
            ],
        }
        await sites.PutSite(
            smart_charging_pb2.PutSiteRequest(site_id=site_id, definition_json=json.dumps(definition)), timeout=10
        )
        await eventually(
            probe(lambda: [s.station_id for s in simulator.stations if not has_tx_default(s.behaviour)]),
            lambda missing: not missing,
            timeout_s=30,
            what="the site's TxDefaultProfile on every station",
        )

        sampling = asyncio.create_task(sampler.run())
        for station in simulator.stations:
            station.behaviour.mix = MIX
        await asyncio.sleep(SESSIONS_S)  # the sessions' run: the sampler checks the limit meanwhile
        started = sum(station.behaviour.sessions_started for station in simulator.stations)
        assert started >= STATIONS, diagnosis(simulator, running)
        assert sampler.charging_seen >= 4, "the site was never crowded"
        assert sampler.over == [], f"the limit was exceeded: {sampler.over[:5]}"

        changed_at = time.monotonic()
        await sites.SetSiteLimit(smart_charging_pb2.SetSiteLimitRequest(site_id=site_id, limit=LOWERED_A), timeout=10)
        await eventually(
            probe(sampler.total), lambda total: total <= LOWERED_A + TOLERANCE_A, timeout_s=FOLLOW_S, what="the limit"
        )
        followed_s = time.monotonic() - changed_at
        sampler.limit_a = LOWERED_A
        await asyncio.sleep(HOLD_S)
        assert sampler.over == [], f"the lowered limit was exceeded after {followed_s:.1f} s: {sampler.over[:5]}"
        assert sampler.samples > (SESSIONS_S + HOLD_S) / SAMPLE_S / 4
        print(  # the figures, for the record (pytest -s)
            f"samples={sampler.samples} peak={sampler.peak_a:.1f} A charging_max={sampler.charging_seen} "
            f"followed_in={followed_s:.2f} s"
        )
    finally:
        if sampling is not None:
            sampling.cancel()
        running.cancel()
        await asyncio.gather(running, *([sampling] if sampling else []), return_exceptions=True)
