"""OCPP 2.1 periodic event streams end to end (docs/adr/0035): a 2.1 station opens a stream, sends its values as
NotifyPeriodicEventStream SENDs (messageTypeId 6) which are stored with basetime + offsets decoded and never
answered; a SEND that breaks the schema or the framing is dropped without an answer and the connection stays
up; the stream read back through the API and the CLI, then closed."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import unique
from kit.stack import Cli, register
from kit.stations.raw import PASSWORD, RawStation
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V21 = OcppVersion.V21
VALUES = {
    "id": 7,
    "pending": 0,
    "basetime": "2026-11-21T11:00:00Z",
    "data": [{"t": 0, "v": "230.1"}, {"t": 1.5, "v": "229.8"}, {"t": 60, "v": "231"}],
}


async def call(station: RawStation, message_id: str, action: str, payload: dict[str, Any]) -> list[Any]:
    reply, _ = await station.call(message_id, action, payload, attempt_timeout_s=10, deadline_s=30)
    return reply


async def test_a_21_station_streams_values_that_are_stored_and_never_answered(
    stack: Stack, cli: Cli, admin: httpx.AsyncClient
) -> None:
    station_id = unique("PES")
    register(cli, station_id, PASSWORD)
    station = RawStation([stack.config.edge_url(0)], station_id, V21)
    await station.connect()
    try:
        boot = await call(
            station,
            "b1",
            "BootNotification",
            {"chargingStation": {"vendorName": "V", "model": "M"}, "reason": "PowerUp"},
        )
        assert boot[2]["status"] == "Accepted"
        opened = await call(
            station,
            "o1",
            "OpenPeriodicEventStream",
            {"constantStreamData": {"id": 7, "variableMonitoringId": 3, "params": {"interval": 60, "values": 3}}},
        )
        assert opened == [3, "o1", {"status": "Accepted"}]

        await station.send(json.dumps([6, "s1", "NotifyPeriodicEventStream", VALUES]), "s1")
        await station.send(json.dumps([6, "s2", "NotifyPeriodicEventStream", {"id": 7}]), "s2")  # schema
        await station.send(json.dumps([6, "s3", "NotifyPeriodicEventStream"]), "s3")  # framing
        await station.send(json.dumps([6, "s4", "Heartbeat", {}]), "s4")  # not a SEND of 2.1
        # a CALL after the SENDs is answered: the connection survived them
        assert (await call(station, "h1", "Heartbeat", {}))[0] == 3

        async def data() -> dict[str, Any]:
            answer = await admin.get(
                f"/api/v1/stations/{station_id}/periodic-streams/7/data",
                params={"since": "2026-11-21T10:00:00Z", "until": "2026-11-21T12:00:00Z"},
            )
            assert answer.status_code == 200, answer.text
            found: dict[str, Any] = answer.json()
            return found

        stored = await eventually(data, lambda found: len(found["items"]) == 3, what="stream values stored")
        assert stored["items"] == [
            {"sampled_at": "2026-11-21T11:00:00Z", "value": "230.1"},
            {"sampled_at": "2026-11-21T11:00:01.500000Z", "value": "229.8"},
            {"sampled_at": "2026-11-21T11:01:00Z", "value": "231"},
        ]

        closed = await call(station, "c1", "ClosePeriodicEventStream", {"id": 7})
        assert closed == [3, "c1", {}]

        async def streams() -> list[dict[str, Any]]:
            answer = await admin.get(f"/api/v1/stations/{station_id}/periodic-streams")
            assert answer.status_code == 200, answer.text
            items: list[dict[str, Any]] = answer.json()["items"]
            return items

        (stream,) = await eventually(streams, lambda found: found and found[0]["state"] == "closed", what="closed")
        assert (stream["stream_id"], stream["variable_monitoring_id"], stream["interval"], stream["values"]) == (
            7,
            3,
            60,
            3,
        )
        assert stream["last_data_at"] is not None and stream["opened_at"] is not None

        # device-model handles a station's frames in order: a reply to the SENDs would have come before c1's
        assert [station.replies[message_id] for message_id in ("s1", "s2", "s3", "s4")] == [[], [], [], []]
        assert station.connected

        listed = cli("periodic-streams", "data", station_id, "7", "--since", "2026-11-21T10:00:00Z", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [value["value"] for value in json.loads(listed.stdout)] == ["230.1", "229.8", "231"]
    finally:
        await station.close()
