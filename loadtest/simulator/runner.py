"""Runs a simulation: the stations, the scenarios in order (each one phase of stats) and live progress.

Every run starts with the boot storm (all stations connect, bounded by `connect_concurrency` handshakes in
flight, and send BootNotification until accepted); `steady` then sends CALLs at `rate` per second in total
(Poisson arrivals spread over the stations, one outstanding CALL per station) for `duration_s` (rate 0: the
stations only stay connected and answer the CSMS, e.g. during a firmware campaign); `reconnect-storm` drops the
TCP connections of `reconnect_fraction` of the stations at once and brings them back the same way. Storm phases
end when every station is booted or after `storm_timeout_s`. A station whose firmware update reboots it is
brought back by `_reboot` (reconnect, BootNotification with its new version and reason). Side effects:
WebSocket connections, the optional gRPC provisioning, and progress lines written to `out`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import resource
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime

from csms_kernel.infra.tls_buffers import small_tls_read_buffers
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Behaviour
from loadtest.simulator.charging_profiles import ChargingProfiles
from loadtest.simulator.config import Config, Scenario, assign_versions, id_token
from loadtest.simulator.device_model import Responder
from loadtest.simulator.firmware import FirmwareAgent, client_factory
from loadtest.simulator.messages import boot_notification
from loadtest.simulator.provision import provision
from loadtest.simulator.reservations import Reservations
from loadtest.simulator.station import Station, connect_failure
from loadtest.simulator.stats import PhaseStats, ProgressWindow, Summary, summarize

MAX_CONNECT_BACKOFF_S = 5.0
IDLE_CHECK_S = 5.0  # how often a station without traffic of its own (rate 0) checks its connection


def raise_open_files_limit() -> int:
    """Raises the soft limit of open files to the hard limit (each station is one socket); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Simulator:
    def __init__(
        self, config: Config, out: Callable[[str], None] = print, on_phase: Callable[[str], None] = lambda name: None
    ) -> None:
        """`on_phase` is called with each phase's name as it begins (e.g. to start measuring)."""
        self.config = config
        self._out = out
        self._on_phase = on_phase
        self.phases: list[PhaseStats] = []
        self._rng = random.Random(config.seed)
        self._tls = config.tls_context()
        if self._tls is not None:
            small_tls_read_buffers()  # thousands of stations in one process, like the edge
        clients = client_factory(config.download_tls())
        self.stations = [
            Station(
                station_id,
                version,
                behaviour := self._behaviour(index, station_id, version),
                self.phase,
                call_timeout_s=config.call_timeout_s,
                responder=Responder.for_version(
                    version is OcppVersion.V16, config.device_variables, config.report_items_per_message
                ),
                clock=iso_now,
                firmware=FirmwareAgent(
                    station_id,
                    version,
                    config.firmware_version,
                    fails_at=config.firmware_faults.step_for(station_id),
                    verify_signatures=config.firmware_verify_signatures,
                    timing=config.firmware_timing,
                    clients=clients,
                ),
                on_reboot=self._reboot,
                agents=tuple(agent for agent in (behaviour.profiles, behaviour.reservations) if agent is not None),
            )
            for index, (station_id, version) in enumerate(
                zip(config.station_ids(), assign_versions(config.stations, config.mix), strict=True)
            )
        ]

    def _behaviour(self, index: int, station_id: str, version: OcppVersion) -> Behaviour:
        """A station's behaviour, with its charging profiles and reservations (the agents answering the CSMS)."""
        config = self.config
        behaviour = Behaviour(
            station_id,
            version,
            id_token(index, config.token_count),
            config.behaviour,
            random.Random(f"{config.seed}-{station_id}"),
            profiles=ChargingProfiles(version, electrical=config.electrical),
            car_max_current=config.car_max_current,
            car_phases=config.car_phases,
        )
        behaviour.reservations = Reservations(version, status_of=behaviour.connector_status)
        return behaviour

    def drawn_watts(self) -> float:
        """What the stations' cars draw now, summed from their last meter values (a site limit's check)."""
        return sum(
            station.behaviour.last_draw.watts for station in self.stations if station.behaviour.last_draw is not None
        )

    def phase(self) -> PhaseStats:
        return self.phases[-1]

    async def run(self) -> list[Summary]:
        config = self.config
        limit = raise_open_files_limit()
        if limit < config.stations + 100:
            self._out(f"warning: open files limited to {limit}; {config.stations} stations may not all connect")
        if config.provision_address:
            done = await provision(
                config.provision_address,
                config.provision_tls,
                config.station_ids(),
                config.password,
                config.tokens(),
                security_profile=config.security_profile,
            )
            unsupported = " (id tokens: UNIMPLEMENTED by this CSMS)" if done.tokens_unsupported else ""
            self._out(f"provisioned {done.stations} stations and {done.tokens} id tokens{unsupported}")
        self._begin(Scenario.BOOT_STORM.value)
        progress = asyncio.create_task(self._progress())
        try:
            await self._storm(self.stations)
            for scenario in config.scenarios:
                if scenario is Scenario.STEADY:
                    self._begin(scenario.value)
                    await self._steady()
                elif scenario is Scenario.RECONNECT_STORM:
                    dropped = self.stations[: round(len(self.stations) * config.reconnect_fraction)]
                    for station in dropped:
                        station.abort()
                    self._begin(scenario.value, len(dropped))
                    await self._storm(dropped)
            self.phase().ended_s = time.monotonic()
        finally:
            progress.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await progress
            await asyncio.gather(*(station.close() for station in self.stations), return_exceptions=True)
        now = time.monotonic()
        return [summarize(phase, now) for phase in self.phases]

    def _begin(self, name: str, stations: int | None = None) -> None:
        now = time.monotonic()
        if self.phases:
            self.phases[-1].ended_s = now
        self.phases.append(PhaseStats(name, now, stations=len(self.stations) if stations is None else stations))
        self._on_phase(name)

    async def _storm(self, stations: list[Station]) -> None:
        """Connects and boots `stations`, at most `connect_concurrency` handshakes at a time, bounded in time."""
        phase, handshakes = self.phase(), asyncio.Semaphore(self.config.connect_concurrency)
        deadline = time.monotonic() + self.config.storm_timeout_s
        booted = 0

        async def bring_up(station: Station) -> None:
            nonlocal booted
            if await self._connect_and_boot(station, handshakes, deadline):
                booted += 1
                if booted == len(stations):
                    phase.all_booted_s = time.monotonic()

        await asyncio.gather(*(bring_up(station) for station in stations))

    def _tls_for(self, station: Station) -> ssl.SSLContext | None:
        """The shared TLS context, or the station's own when it presents a certificate (profile 3)."""
        if self.config.client_certificates is None:
            return self._tls
        return self.config.tls_context(station.station_id)

    async def _reboot(self, station: Station, reason: str) -> None:
        """A station back from a reboot (the connection already closed): reconnects and boots with `reason`."""
        await asyncio.sleep(self.config.firmware_timing.reboot_s)
        await self._connect_and_boot(
            station, asyncio.Semaphore(1), time.monotonic() + self.config.storm_timeout_s, reason
        )

    async def _connect_and_boot(
        self, station: Station, handshakes: asyncio.Semaphore, deadline: float, reason: str = "PowerUp"
    ) -> bool:
        config, backoff = self.config, 0.5
        while time.monotonic() < deadline:
            if not station.is_open:
                try:
                    async with handshakes:
                        await station.connect(
                            config.url,
                            config.password,
                            max(deadline - time.monotonic(), 0.1),
                            tls=self._tls_for(station),
                        )
                    self.phase().connected += 1
                except Exception as exc:
                    self.phase().connect_failures[connect_failure(exc)] += 1
                    await asyncio.sleep(min(backoff * self._rng.uniform(0.5, 1.5), deadline - time.monotonic()))
                    backoff = min(backoff * 2, MAX_CONNECT_BACKOFF_S)
                    continue
            firmware_version = station.firmware.firmware_version if station.firmware else ""
            boot = boot_notification(station.version, "Sim-" + station.version.value, firmware_version, reason)
            result = await station.call(*boot)
            if result is not None and result.get("status") == "Accepted":
                self.phase().boots_accepted += 1
                return True
            if result is not None:  # Pending/Rejected: retry after the interval the CSMS asked for
                await asyncio.sleep(min(float(result.get("interval") or 1), max(deadline - time.monotonic(), 0)))
        return False

    async def _steady(self) -> None:
        config = self.config
        end = time.monotonic() + config.duration_s
        per_station_rate = config.rate / max(len(self.stations), 1)
        await asyncio.gather(*(self._station_loop(station, per_station_rate, end) for station in self.stations))

    async def _station_loop(self, station: Station, rate: float, end: float) -> None:
        """Poisson arrivals at `rate`; a station that lost its connection reconnects and boots first."""
        rng = station.behaviour.rng
        if rate <= 0:  # connected and answering the CSMS, sending nothing of its own; back when dropped
            while time.monotonic() < end:
                if not station.is_open and not station.rebooting:
                    await self._connect_and_boot(station, asyncio.Semaphore(1), end)
                await asyncio.sleep(min(IDLE_CHECK_S, max(end - time.monotonic(), 0)))
            return
        next_at = time.monotonic() + rng.expovariate(rate)
        while next_at < end and time.monotonic() < end:  # a station behind its schedule stops at the end too
            await asyncio.sleep(max(next_at - time.monotonic(), 0))
            if station.rebooting:  # its firmware update brings it back
                next_at += rng.expovariate(rate)
                continue
            if not station.is_open and not await self._connect_and_boot(station, asyncio.Semaphore(1), end):
                return
            action, payload = station.behaviour.next_message(iso_now())
            result = await station.call(action, payload)
            if result is not None:
                station.behaviour.on_result(result)
            next_at += rng.expovariate(rate)

    async def _progress(self) -> None:
        phase = self.phase()
        window = ProgressWindow(phase.started_s)
        while True:
            await asyncio.sleep(self.config.progress_interval_s)
            now = time.monotonic()
            if self.phase() is not phase:
                phase = self.phase()
                window = ProgressWindow(phase.started_s)
            self._out(window.line(phase, now, sum(station.is_open for station in self.stations)))
