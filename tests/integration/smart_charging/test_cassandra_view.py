"""The smart-charging service in Cassandra: request keys claimed once (the first params win); the view
projection's writes stored once per event (a redelivery rewrites the same row), read back whole and oldest first,
folded into the station's installed profiles. In a keyspace of its own (the tables of schema.cql)."""

from __future__ import annotations

import json
import uuid

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.clients.request_keys import CassandraRequestKeys
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter
from csms_smart_charging.adapters.view_store import CassandraStationEvents
from csms_smart_charging.domain.events import requested
from csms_smart_charging.domain.view import station_view
from csms_smart_charging.projections.view import PROJECTION
from kit.builders.smart_charging import NOW

pytestmark = pytest.mark.integration

PROFILE = {
    "id": 3,
    "stack_level": 0,
    "purpose": "TxDefaultProfile",
    "kind": "Absolute",
    "schedules": [{"id": 1, "charging_rate_unit": "A", "periods": [{"start_period": 0, "limit": 16}]}],
}


async def test_a_station_view_round_trip(session: CassandraSession, keyspace: str) -> None:
    station = f"IT-{uuid.uuid4().hex[:8]}"
    params = json.dumps({"evse_id": 1, "profile": PROFILE})
    request = smart_charging_pb2.ProfileRequested(
        request_key="k-1", command="set-charging-profile", command_id="c-1", params_json=params
    )
    answered = device_model_pb2.DeviceModelEvent(
        station_id=station,
        message_id="m-2",
        occurred_at=timestamp(NOW.replace(second=5)),
        command_answered=device_model_pb2.CommandAnswered(
            command=device_model_pb2.Command(
                command_id="c-1",
                command="set-charging-profile",
                state=device_model_pb2.COMMAND_STATE_ANSWERED,
                params_json=params,
                result_json='{"status": "accepted"}',
            )
        ),
    )
    boot = device_model_pb2.DeviceModelEvent(
        station_id=station,
        message_id="boot-1",
        occurred_at=timestamp(NOW.replace(second=9)),
        station_booted=device_model_pb2.StationBooted(registration_status="Accepted"),
    )
    events = [requested(station, request, NOW), answered, boot]
    writer = CassandraWriter(session, keyspace)
    await writer.apply(PROJECTION.writes(events, None))
    await writer.apply(PROJECTION.writes(events, None))  # redelivered
    stored = await CassandraStationEvents(session, keyspace).events(station)
    assert [e.WhichOneof("event") for e in stored] == ["requested", "command_outcome", "boot_seen"]
    view = station_view(station, stored)
    assert [(p.evse_id, p.profile_id) for p in view.message().installed] == [(1, 3)]
    assert [p.profile_id for p in view.to_reinstall()] == [3]
    assert await CassandraStationEvents(session, keyspace).events("IT-none") == []


async def test_the_first_claim_of_a_request_key_wins(session: CassandraSession, keyspace: str) -> None:
    keys = CassandraRequestKeys(session, keyspace)
    station = f"IT-{uuid.uuid4().hex[:8]}"
    first = {"evse_id": 1, "profile": PROFILE}
    assert await keys.claim(station, "k", "set-charging-profile", first) == ("set-charging-profile", first)
    assert await keys.claim(station, "k", "clear-charging-profile", {"id": 3}) == ("set-charging-profile", first)
