"""The renewal sweep: a station whose newest ChargingStationCertificate expires within `renew_before` is asked
for a new CSR once per `retry`."""

from __future__ import annotations

from datetime import datetime, timedelta

from csms_security.app.renewal import RenewalSweeper
from csms_security.domain.csr import V2G
from csms_security.domain.renewal import renewal_due
from csms_security.ports import CommandFailed, RenewalCandidate
from kit.builders.security import NOW
from kit.builders.security import issued_certificate as certificate
from kit.fakes.outbox import FakeLease
from kit.fakes.security import InMemoryCertificateStore, RecordingCommands

RENEW_BEFORE = timedelta(days=30)
RETRY = timedelta(days=1)


def sweeper(store: InMemoryCertificateStore, commands: RecordingCommands, now: datetime) -> RenewalSweeper:
    return RenewalSweeper(
        store,
        commands,
        FakeLease(),
        lambda: now,
        renew_before=RENEW_BEFORE,
        retry=RETRY,
        command_expiry=timedelta(hours=1),
    )


def test_due_only_within_renew_before_and_once_per_retry() -> None:
    fresh = RenewalCandidate("CS-1", "a1", NOW + timedelta(days=31), None, None)
    assert not renewal_due(fresh, NOW, RENEW_BEFORE, RETRY)
    due = RenewalCandidate("CS-1", "a1", NOW + timedelta(days=29), None, None)
    assert renewal_due(due, NOW, RENEW_BEFORE, RETRY)
    asked = RenewalCandidate("CS-1", "a1", NOW + timedelta(days=29), "a1", NOW - timedelta(hours=23))
    assert not renewal_due(asked, NOW, RENEW_BEFORE, RETRY)
    asked_long_ago = RenewalCandidate("CS-1", "a1", NOW + timedelta(days=29), "a1", NOW - RETRY)
    assert renewal_due(asked_long_ago, NOW, RENEW_BEFORE, RETRY)
    asked_for_older = RenewalCandidate("CS-1", "b2", NOW + timedelta(days=29), "a1", NOW)
    assert renewal_due(asked_for_older, NOW, RENEW_BEFORE, RETRY)


async def test_the_sweep_asks_due_stations_once_and_records_it() -> None:
    store, commands = InMemoryCertificateStore(), RecordingCommands()
    store.issued["1"] = certificate("CS-1", "a1", NOW + timedelta(days=10), NOW - timedelta(days=355))
    store.issued["2"] = certificate("CS-2", "b1", NOW + timedelta(days=300), NOW - timedelta(days=65))
    store.issued["3"] = certificate("CS-3", "c1", NOW + timedelta(days=1), NOW - timedelta(days=300), V2G)
    assert await sweeper(store, commands, NOW).sweep() == ["CS-1"]
    assert commands.sent == [
        ("CS-1", "trigger-message", {"message": "sign_charging_station_certificate"}, NOW + timedelta(hours=1))
    ]
    assert store.requested == {"CS-1": ("a1", NOW)}
    assert await sweeper(store, commands, NOW + timedelta(hours=1)).sweep() == []
    assert await sweeper(store, commands, NOW + RETRY).sweep() == ["CS-1"]
    # one key per ask: a sweep stopping before recording its ask repeats the key (device-model makes one command)
    assert commands.keys == ["renewal/a1/first", f"renewal/a1/{NOW.isoformat()}"]


async def test_a_renewed_certificate_is_not_due() -> None:
    store, commands = InMemoryCertificateStore(), RecordingCommands()
    store.issued["1"] = certificate("CS-1", "a1", NOW + timedelta(days=10), NOW - timedelta(days=355))
    store.issued["2"] = certificate("CS-1", "a2", NOW + timedelta(days=365), NOW)
    assert await sweeper(store, commands, NOW).sweep() == []


async def test_device_model_unavailable_asks_again_at_the_next_sweep() -> None:
    store = InMemoryCertificateStore()
    commands = RecordingCommands(failures=[CommandFailed("down", retryable=True)])
    store.issued["1"] = certificate("CS-1", "a1", NOW + timedelta(days=10), NOW - timedelta(days=355))
    assert await sweeper(store, commands, NOW).sweep() == []
    assert store.requested == {}
    assert await sweeper(store, commands, NOW).sweep() == ["CS-1"]


async def test_a_final_refusal_is_recorded_so_it_is_not_repeated_every_sweep() -> None:
    store = InMemoryCertificateStore()
    commands = RecordingCommands(failures=[CommandFailed("not expressible", retryable=False)])
    store.issued["1"] = certificate("CS-1", "a1", NOW + timedelta(days=10), NOW - timedelta(days=355))
    assert await sweeper(store, commands, NOW).sweep() == []
    assert store.requested == {"CS-1": ("a1", NOW)}
    assert await sweeper(store, commands, NOW).sweep() == []
