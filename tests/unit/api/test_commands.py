"""Commands over HTTP: the body and query reach DeviceModelService.SendCommand; 200 with the outcome when
finished, 202 + Location while queued or sent; get one; list a station's with cursors; bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_api.domain.keys import Scope
from kit.builders.api import NOW, Api


def online(api: Api, station_id: str = "CP-1", connected: bool = True) -> None:
    station = api.device_model.connect(station_id, ocpp_version=envelope_pb2.OCPP_VERSION_21)
    station.connected = connected


async def test_a_command_that_was_answered_is_200_with_its_outcome(api: Api) -> None:
    online(api)
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/commands/reset?timeout=20", json={"type": "soft"})
    assert answer.status_code == 200 and "location" not in answer.headers
    assert answer.json() == {
        "command_id": "cmd-0001",
        "station_id": "CP-1",
        "command": "reset",
        "state": "answered",
        "ocpp_version": "2.1",
        "params": {"type": "soft"},
        "request": [{"action": "Reset", "payload": {"type": "Soft"}}],
        "result": {"status": "Accepted"},
        "response": [[3, "m-1", {"status": "Accepted"}]],
        "call_error": None,
        "failure": None,
        "created_at": None,
        "sent_at": None,
        "finished_at": None,
        "expires_at": None,
        "timeout": 20.0,
    }
    assert api.device_model.requests("send_command") == [
        dm.SendCommandRequest(
            station_id="CP-1", command="reset", params_json='{"type":"soft"}', timeout_ms=20_000, wait=True
        )
    ]
    assert api.device_model.deadlines == [35.0]


async def test_without_waiting_it_is_202_with_the_command_s_location(api: Api) -> None:
    online(api)
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/commands/clear-cache?wait=false")
        fetched = await client.get(answer.headers["location"])
    assert (answer.status_code, answer.json()["state"], answer.json()["params"]) == (202, "sent", {})
    assert answer.headers["location"] == "/api/v1/commands/cmd-0001"
    assert fetched.json() == answer.json()


async def test_a_queued_command_gets_its_expiry_from_expires_in(api: Api) -> None:
    online(api, connected=False)
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(
            "/api/v1/stations/CP-1/commands/trigger-message?queue_if_offline=true&expires_in=3600",
            json={"message": "Heartbeat"},
        )
    assert (answer.status_code, answer.json()["state"]) == (202, "queued")
    assert answer.json()["expires_at"] == "2026-12-06T13:00:00Z"
    (request,) = api.device_model.requests("send_command")
    assert request.queue_if_offline and request.expires_at.ToDatetime(tzinfo=UTC) == NOW.replace(hour=13)


async def test_an_explicit_expiry_is_sent_as_given(api: Api) -> None:
    online(api, connected=False)
    async with await api.as_(Scope.OPERATE) as client:
        await client.post(
            "/api/v1/stations/CP-1/commands/reset",
            params={"queue_if_offline": "true", "expires_at": "2026-12-07T00:00:00+02:00"},
        )
    (request,) = api.device_model.requests("send_command")
    assert request.expires_at.ToDatetime(tzinfo=UTC) == datetime(2026, 12, 6, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("queue_if_offline=true", "query.expires_in", "queue_if_offline needs an expiry"),
        ("expires_in=60&expires_at=2027-01-01T00:00:00Z", "query.expires_at", "either expires_in or expires_at"),
        ("timeout=0", "query.timeout", "greater than 0"),
        ("expires_in=-5", "query.expires_in", "greater than 0"),
        ("wait=perhaps", "query.wait", "valid boolean"),
    ],
)
async def test_bad_query_values_are_422_naming_the_field(api: Api, query: str, field: str, message: str) -> None:
    online(api)
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(f"/api/v1/stations/CP-1/commands/reset?{query}")
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == [field]
    assert message in answer.json()["detail"]
    assert api.device_model.requests("send_command") == []


async def test_a_body_that_is_not_an_object_is_422(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/commands/reset", json=["soft"])
    assert (answer.status_code, answer.json()["errors"][0]["field"]) == (422, "body")


@pytest.mark.parametrize(
    ("station", "command", "status", "detail"),
    [
        ("CP-1", "levitate", 404, "no command levitate"),
        ("CP-9", "reset", 404, "no station CP-9"),
        ("CP-2", "reset", 409, "station CP-2 is offline"),
    ],
)
async def test_unknown_names_and_offline_stations(
    api: Api, station: str, command: str, status: int, detail: str
) -> None:
    online(api)
    online(api, "CP-2", connected=False)
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(f"/api/v1/stations/{station}/commands/{command}")
    assert (answer.status_code, answer.json()["detail"]) == (status, detail)


async def test_the_service_s_refusal_of_params_is_422_with_its_reason(api: Api) -> None:
    online(api)
    api.device_model.fail("send_command", grpc.StatusCode.INVALID_ARGUMENT, "params.type: must be soft or hard")
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/commands/reset", json={"type": "gentle"})
    assert (answer.status_code, answer.json()["detail"]) == (422, "params.type: must be soft or hard")


async def test_the_idempotency_key_header_is_passed_on_and_a_reused_key_is_409(api: Api) -> None:
    online(api)
    async with await api.as_(Scope.OPERATE) as client:
        await client.post("/api/v1/stations/CP-1/commands/reset", headers={"Idempotency-Key": "billing-42"})
        (request,) = api.device_model.requests("send_command")
        assert request.idempotency_key == "billing-42"
        api.device_model.fail("send_command", grpc.StatusCode.ALREADY_EXISTS, "key used for another command")
        reused = await client.post("/api/v1/stations/CP-1/commands/reset", headers={"Idempotency-Key": "billing-42"})
        too_long = await client.post("/api/v1/stations/CP-1/commands/reset", headers={"Idempotency-Key": "k" * 201})
    assert (reused.status_code, reused.json()["detail"]) == (409, "key used for another command")
    assert too_long.status_code == 422


async def test_a_station_s_commands_page_by_cursor(api: Api) -> None:
    online(api)
    online(api, "CP-2")
    async with await api.as_(Scope.OPERATE) as client:
        for station in ("CP-1", "CP-2", "CP-1", "CP-1"):
            await client.post(f"/api/v1/stations/{station}/commands/clear-cache")
        first = (await client.get("/api/v1/stations/CP-1/commands", params={"limit": 2})).json()
        second = (
            await client.get("/api/v1/stations/CP-1/commands", params={"limit": 2, "cursor": first["next_cursor"]})
        ).json()
        other = await client.get("/api/v1/stations/CP-2/commands", params={"cursor": first["next_cursor"]})
        missing = await client.get("/api/v1/commands/cmd-9999")
    assert [c["command_id"] for c in first["items"] + second["items"]] == ["cmd-0001", "cmd-0003", "cmd-0004"]
    assert second["next_cursor"] is None
    assert other.status_code == 422
    assert missing.status_code == 404
