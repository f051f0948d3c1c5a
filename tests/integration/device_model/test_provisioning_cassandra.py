"""Provisioning on the migrated schema: boot policies set and read (the one read of a boot), the boot history read
model fed through the device projection's writers (replays and redeliveries converge, newest first, paged by
keyset) and the last boot answer from the stations projection, in `station_registrations` and on the station row
(docs/adr/0031)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_device_model.adapters.provisioning import CassandraProvisioning
from csms_device_model.adapters.repository import CassandraStationsRepository
from csms_device_model.domain.provisioning import BootPolicy
from csms_device_model.ports import Registration
from csms_device_model.projections import device, stations
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 21, 12, tzinfo=UTC)


def boot(station_id: str, i: int, status: str) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id=station_id,
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        message_id=f"m-{i}",
        occurred_at=timestamp(T0 + timedelta(minutes=i)),
        station_booted=device_model_pb2.StationBooted(
            vendor="ACME", model="DC-9", firmware_version=f"1.{i}", reason="PowerUp", registration_status=status
        ),
    )


async def test_a_boot_policy_is_set_and_read(session: CassandraSession) -> None:
    store = CassandraProvisioning(session)
    station_id = f"CS-{uuid.uuid4().hex[:12]}"
    assert (await store.boot_policy(station_id), await store.boot_policy_set_at(station_id)) == (None, None)
    await store.set_boot_policy(station_id, BootPolicy.PENDING, T0)
    await store.set_boot_policy(station_id, BootPolicy.ACCEPTED, T0 + timedelta(seconds=1))
    assert await store.boot_policy(station_id) is BootPolicy.ACCEPTED
    assert await store.boot_policy_set_at(station_id) == (BootPolicy.ACCEPTED, T0 + timedelta(seconds=1))


async def test_the_boot_history_and_last_answer_from_the_projections(session: CassandraSession) -> None:
    store = CassandraProvisioning(session)
    writer = CassandraWriter(session, "csms_device_model")
    station_id = f"CS-{uuid.uuid4().hex[:12]}"
    events = [boot(station_id, 0, "Pending"), boot(station_id, 1, "Pending"), boot(station_id, 2, "Accepted")]
    for batch in ([events[2]], events, events[:1]):  # out of order, replayed, redelivered
        await writer.apply(device.writes(batch, None))
        await writer.apply([write for event in batch for write in stations.from_event(event)])
    first, token = await store.boots(station_id, 2, "")
    assert [(b.message_id, b.registration_status, b.firmware_version) for b in first] == [
        ("m-2", "Accepted", "1.2"),
        ("m-1", "Pending", "1.1"),
    ]
    assert (first[0].booted_at, first[0].ocpp_version, first[0].reason) == (
        timestamp(T0 + timedelta(minutes=2)),
        envelope_pb2.OCPP_VERSION_201,
        "PowerUp",
    )
    rest, last_token = await store.boots(station_id, 2, token)
    assert ([b.message_id for b in rest], last_token) == (["m-0"], "")
    assert await store.registration(station_id) == Registration("Accepted", T0 + timedelta(minutes=2))
    station = await CassandraStationsRepository(session).station(station_id)
    assert station is not None and (station.registration_status, station.firmware_version) == ("Accepted", "1.2")
    with pytest.raises(ValueError, match="invalid page token"):
        await store.boots(station_id, 2, "not-a-token")
