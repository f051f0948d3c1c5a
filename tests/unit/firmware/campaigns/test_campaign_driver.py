"""The campaign driver over fakes of its ports and the real firmware requests: one driver per campaign (lease),
stations updated through device-model under their attempt keys, success read from the firmware history, and a
driver taking over after a crash sending no station a second UpdateFirmware."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.app.requests import FirmwareRequests
from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_firmware.artifacts.model import FirmwareImage
from csms_firmware.campaigns.adapters.station_updates import RequestStationUpdates
from csms_firmware.campaigns.app.driver import IN_FLIGHT, CampaignDriver
from csms_firmware.campaigns.domain.campaign import (
    AttemptStarted,
    Created,
    Settings,
    Spec,
    StationState,
    Status,
    Target,
    event,
)
from csms_firmware.domain.events import status_reported
from csms_firmware.projections.history import history_entry
from csms_kernel.clients.station_commands import CommandRefused
from csms_kernel.infra.envelopes import timestamp
from kit.builders.firmware_artifacts import Clock, build_artifacts_kit
from kit.fakes.firmware import InMemoryRequestKeys, ListedHistory, PublishedEvents, RecordingCommands
from kit.fakes.firmware_campaigns import ClockedLeases, ListedCampaignLog, ListedStations

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


class World:
    """Device-model, the firmware requests and history, and the stations' behaviour, on one clock."""

    def __init__(
        self,
        stations: int,
        failing: frozenset[str] = frozenset(),
        target: Target | None = None,
        models: dict[str, str] | None = None,
        **settings: object,
    ) -> None:
        self.now = T0
        self.commands = RecordingCommands(created_at=T0)
        self.published = PublishedEvents()
        self.history = ListedHistory()
        self.log = ListedCampaignLog()
        self.leases = ClockedLeases(lambda: self.now)
        self.failing = failing
        self.offline: set[str] = set()
        self.kit = build_artifacts_kit(LocalDirectoryStore(Path("/nonexistent")), clock=Clock(T0))
        # Every station booted as an ACME AC-22 but the ones in `models` (station -> model).
        self.stations = ListedStations(
            [
                device_model_pb2.Station(
                    station_id=f"S{i:03}", vendor="ACME", model=(models or {}).get(f"S{i:03}", "AC-22")
                )
                for i in range(stations)
            ]
        )
        requests = FirmwareRequests(
            InMemoryRequestKeys(),
            self.commands,
            self.published,
            lambda: self.now,
            timedelta(hours=1),
            self.kit.artifacts,
            self.stations,
        )
        self.updates = RequestStationUpdates(requests, lambda: self.now)
        spec = Spec(
            "c1",
            tuple(f"S{i:03}" for i in range(stations)),
            target or Target("2.0", location="http://fw/2.0.bin"),
            Settings(**settings),  # type: ignore[arg-type]
        )
        self.log.events.append(event("c1", T0, Created(spec)))
        self.answered: set[str] = set()

    def driver(self, owner: str) -> CampaignDriver:
        return CampaignDriver(
            self.log, self.leases, self, self.history, lambda: self.now, owner=owner, lease_ttl_s=15, tick_s=1
        )

    async def update(self, station_id: str, target: Target, request_key: str) -> None:
        if station_id in self.offline:
            raise_offline = CommandRefused(f"{station_id} is offline", grpc.StatusCode.FAILED_PRECONDITION)
            self.commands.refusal = grpc.StatusCode.FAILED_PRECONDITION
            try:
                await self.updates.update(station_id, target, request_key)
            finally:
                self.commands.refusal = None
            raise raise_offline
        await self.updates.update(station_id, target, request_key)

    def stations_react(self) -> None:
        """Every station that got a command reports Installed and boots (new version, or the old one failing)."""
        for event_ in list(self.published.events):
            self.history.add(event_)
        self.published.events.clear()
        for sent in self.commands.sent:
            if sent.idempotency_key in self.answered:
                continue
            self.answered.add(sent.idempotency_key)
            station = sent.station_id
            report = firmware_pb2.StatusReported(
                kind=firmware_pb2.REPORT_KIND_FIRMWARE, status="Installed", belongs_to_latest=True, message_id=station
            )
            self.history.add(status_reported(station, sent.idempotency_key, report, self.now))
            boot = device_model_pb2.DeviceModelEvent(
                station_id=station,
                message_id=sent.idempotency_key,
                occurred_at=timestamp(self.now + timedelta(microseconds=1)),
                station_booted=device_model_pb2.StationBooted(
                    firmware_version="1.0" if station in self.failing else "2.0"
                ),
            )
            entry = history_entry(boot)
            assert entry is not None
            self.history.add(entry)

    async def run(self, driver: CampaignDriver, ticks: int) -> None:
        for _ in range(ticks):
            self.commands.created_at = self.now
            await driver.tick()
            self.now += timedelta(seconds=2)
            self.stations_react()


async def test_the_campaign_updates_every_station_once_within_the_concurrency_limit() -> None:
    world = World(25, canary_size=1, wave_size=8, concurrency=3, failure_threshold=0.5)
    driver = world.driver("firmware-1")
    for _ in range(60):
        await world.run(driver, 1)
        campaign = driver.driven("c1")
        assert campaign is not None
        assert len(campaign.in_state(StationState.UPDATING)) <= 3
    assert campaign.status == Status.COMPLETED
    assert campaign.counts()["succeeded"] == 25
    keys = [sent.idempotency_key for sent in world.commands.sent]
    assert len(keys) == 25 == len(set(keys))
    assert keys[0] == "firmware:campaign:c1:S000:1"


async def test_failing_stations_are_retried_then_the_wave_halts_the_campaign() -> None:
    world = World(
        11,
        failing=frozenset({"S001", "S002"}),
        canary_size=1,
        wave_size=10,
        concurrency=10,
        max_retries=1,
        failure_threshold=0.1,
    )
    driver = world.driver("firmware-1")
    await world.run(driver, 12)
    campaign = driver.driven("c1")
    assert campaign is not None and campaign.status == Status.HALTED
    assert campaign.stations["S001"].state == StationState.FAILED
    assert [s.idempotency_key for s in world.commands.sent if s.station_id == "S001"] == [
        "firmware:campaign:c1:S001:1",
        "firmware:campaign:c1:S001:2",
    ]


async def test_one_driver_per_campaign_and_a_takeover_after_a_crash_sends_nothing_twice() -> None:
    world = World(12, canary_size=2, wave_size=5, concurrency=4, failure_threshold=1.0)
    first, second = world.driver("firmware-1"), world.driver("firmware-2")
    await world.run(first, 2)
    await second.tick()
    assert second.driven("c1") is None  # the lease is firmware-1's
    # firmware-1 dies (kill -9) after handing attempts over but before recording the last of them
    sent_before = len(world.commands.sent)
    last_started = max(i for i, e in enumerate(world.log.events) if isinstance(e.change, AttemptStarted))
    del world.log.events[last_started]
    world.now += timedelta(seconds=16)  # its lease expires
    await world.run(second, 40)
    campaign = second.driven("c1")
    assert campaign is not None and campaign.status == Status.COMPLETED
    keys = [sent.idempotency_key for sent in world.commands.sent]
    assert len(keys) == len(set(keys)) == 12
    assert len(world.commands.sent) >= sent_before


async def test_an_offline_station_is_updated_once_it_is_connected() -> None:
    world = World(2, canary_size=2, concurrency=2, failure_threshold=1.0, offline_recheck=timedelta(seconds=5))
    world.offline.add("S001")
    driver = world.driver("firmware-1")
    await world.run(driver, 3)
    campaign = driver.driven("c1")
    assert campaign is not None and campaign.stations["S001"].state == StationState.OFFLINE
    world.offline.clear()
    await world.run(driver, 6)
    assert campaign.stations["S001"].state == StationState.SUCCEEDED
    assert [s.idempotency_key for s in world.commands.sent if s.station_id == "S001"] == ["firmware:campaign:c1:S001:1"]


async def test_a_campaign_from_an_uploaded_image_sends_each_station_its_signed_url_once() -> None:
    world = World(4, target=Target("2.0", image_id="img-1"), canary_size=1, wave_size=3, failure_threshold=0.5)
    await world.kit.images.add(
        FirmwareImage(
            image_id="img-1",
            version="2.0",
            vendor="ACME",
            models=(),
            filename="fw.bin",
            content_key="images/img-1/fw.bin",
            sha256="ab" * 32,
            size=10,
            uploaded_at=T0,
        )
    )
    driver = world.driver("firmware-1")
    await world.run(driver, 12)
    campaign = driver.driven("c1")
    assert campaign is not None and campaign.status == Status.COMPLETED
    assert sorted(s.station_id for s in world.commands.sent) == ["S000", "S001", "S002", "S003"]
    assert all(s.params["location"].startswith("http://artifacts.test/") for s in world.commands.sent)


async def test_an_unknown_image_fails_the_canary_and_halts_the_campaign() -> None:
    world = World(3, target=Target("2.0", image_id="missing"), canary_size=1, failure_threshold=0.5)
    driver = world.driver("firmware-1")
    await world.run(driver, 3)
    campaign = driver.driven("c1")
    assert campaign is not None and campaign.status == Status.HALTED
    assert "missing" in campaign.stations["S000"].reason
    assert world.commands.sent == []


def acme_image(models: tuple[str, ...] = ("AC-22",)) -> FirmwareImage:
    return FirmwareImage(
        image_id="img-1",
        version="2.0",
        vendor="ACME",
        models=models,
        filename="fw.bin",
        content_key="images/img-1/fw.bin",
        sha256="ab" * 32,
        size=10,
        uploaded_at=T0,
    )


async def test_a_station_of_another_model_fails_for_good_with_the_reason_and_gets_nothing() -> None:
    world = World(
        4,
        target=Target("2.0", image_id="img-1"),
        models={"S002": "DC-50"},
        canary_size=1,
        wave_size=3,
        failure_threshold=0.5,
    )
    await world.kit.images.add(acme_image())
    driver = world.driver("firmware-1")
    await world.run(driver, 12)
    campaign = driver.driven("c1")
    assert campaign is not None and campaign.status == Status.COMPLETED
    assert campaign.stations["S002"].state == StationState.FAILED
    assert campaign.stations["S002"].attempts == 1
    assert "'DC-50'" in campaign.stations["S002"].reason and "'AC-22'" in campaign.stations["S002"].reason
    assert sorted(s.station_id for s in world.commands.sent) == ["S000", "S001", "S003"]


async def test_a_forced_target_goes_to_every_model() -> None:
    world = World(
        3, target=Target("2.0", image_id="img-1", force=True), models={"S001": "DC-50"}, canary_size=1, wave_size=2
    )
    await world.kit.images.add(acme_image())
    driver = world.driver("firmware-1")
    await world.run(driver, 12)
    campaign = driver.driven("c1")
    assert campaign is not None and campaign.status == Status.COMPLETED
    assert sorted(s.station_id for s in world.commands.sent) == ["S000", "S001", "S002"]


async def test_a_station_that_never_booted_waits_as_offline_instead_of_failing() -> None:
    world = World(2, target=Target("2.0", image_id="img-1"), canary_size=1, wave_size=1)
    world.stations.known = [s for s in world.stations.known if s.station_id != "S001"]
    await world.kit.images.add(acme_image())
    driver = world.driver("firmware-1")
    await world.run(driver, 8)
    campaign = driver.driven("c1")
    assert campaign is not None
    assert campaign.stations["S001"].state == StationState.OFFLINE
    assert [s.station_id for s in world.commands.sent] == ["S000"]


class SlowUpdates:
    """Hand-overs that take a while (device-model under load), counting how many are in flight at once; the one
    of `failing` fails transiently."""

    def __init__(self, world: World, failing: str = "") -> None:
        self.world = world
        self.failing = failing
        self.in_flight = 0
        self.most = 0

    async def update(self, station_id: str, target: Target, request_key: str) -> None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if station_id == self.failing:
                raise CommandRefused("device-model is restarting", grpc.StatusCode.UNAVAILABLE)
            await self.world.update(station_id, target, request_key)
        finally:
            self.in_flight -= 1


async def test_a_tick_hands_attempts_over_together_and_records_those_handed_over() -> None:
    world = World(60, canary_size=50, wave_size=10, concurrency=50)
    slow = SlowUpdates(world, failing="S007")
    driver = CampaignDriver(
        world.log, world.leases, slow, world.history, lambda: world.now, owner="firmware-1", lease_ttl_s=15, tick_s=1
    )
    with pytest.raises(CommandRefused):
        await driver.tick()
    assert 1 < slow.most <= IN_FLIGHT
    started_ = {e.change.station_id for e in world.log.events if isinstance(e.change, AttemptStarted)}
    assert len(started_) == 49 and "S007" not in started_  # every other hand-over is recorded
    slow.failing = ""
    await driver.tick()  # S007 is decided again under the same attempt key
    assert [s.idempotency_key for s in world.commands.sent if s.station_id == "S007"] == ["firmware:campaign:c1:S007:1"]
