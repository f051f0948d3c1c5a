"""The firmware service in Cassandra: request keys claimed once (the first params win); the projection's writes
stored once per event (a redelivery rewrites the same row), read back whole and oldest first, folded into the
station's history. In a keyspace of its own (the tables of schema.cql)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.adapters.history_store import CassandraFirmwareHistory
from csms_firmware.domain.events import requested
from csms_firmware.domain.history import FIRMWARE_UPDATE, station_history
from csms_firmware.projections.history import PROJECTION
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.clients.request_keys import CassandraRequestKeys
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter
from kit import scratch_keyspace
from kit.builders.firmware import NOW

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    async with scratch_keyspace.service_keyspace(session, "csms_firmware", KEYSPACE) as name:
        yield name


async def test_a_station_history_round_trip(session: CassandraSession, keyspace: str) -> None:
    station = f"IT-{uuid.uuid4().hex[:8]}"
    request = firmware_pb2.FirmwareRequested(
        request_key="k-1",
        kind=firmware_pb2.REQUEST_KIND_FIRMWARE_UPDATE,
        command="update-firmware",
        command_id="c-1",
        ocpp_request_id=7,
    )
    installed = firmware_pb2.FirmwareEvent(
        event_id="s-1",
        station_id=station,
        recorded_at=timestamp(NOW.replace(second=5)),
        status_reported=firmware_pb2.StatusReported(
            kind=firmware_pb2.REPORT_KIND_FIRMWARE, status="Installed", has_request_id=True, ocpp_request_id=7
        ),
    )
    boot = device_model_pb2.DeviceModelEvent(
        station_id=station,
        message_id="boot-1",
        occurred_at=timestamp(NOW.replace(second=9)),
        station_booted=device_model_pb2.StationBooted(firmware_version="2.0"),
    )
    events = [requested(station, request, NOW), installed, boot]
    writer = CassandraWriter(session, keyspace)
    await writer.apply(PROJECTION.writes(events, None))
    await writer.apply(PROJECTION.writes(events, None))  # redelivered
    stored = await CassandraFirmwareHistory(session, keyspace).events(station)
    assert [e.WhichOneof("event") for e in stored] == ["requested", "status_reported", "boot_seen"]
    [entry] = station_history(stored).of_kind(FIRMWARE_UPDATE)
    assert ([s.status for s in entry.statuses], entry.booted_version) == (["Installed"], "2.0")
    assert await CassandraFirmwareHistory(session, keyspace).events("IT-none") == []


async def test_the_first_claim_of_a_request_key_wins(session: CassandraSession, keyspace: str) -> None:
    keys = CassandraRequestKeys(session, keyspace)
    station = f"IT-{uuid.uuid4().hex[:8]}"
    first = {"location": "ftp://fw/x", "retrieve_date_time": "2026-12-06T12:00:00.000Z"}
    assert await keys.claim(station, "k", "update-firmware", first) == ("update-firmware", first)
    later = {**first, "retrieve_date_time": "2026-12-06T12:05:00.000Z"}
    assert await keys.claim(station, "k", "update-firmware", later) == ("update-firmware", first)
    assert await keys.claim(station, "k2", "get-log", {"log_type": "security"}) == (
        "get-log",
        {"log_type": "security"},
    )
