"""A station's charging profiles over HTTP: the bodies reach SmartChargingService as the commands' neutral params
(Idempotency-Key as the request key, expiry from the API clock), the view comes back as JSON, scopes and the
service's errors apply."""

from __future__ import annotations

import json
from datetime import timedelta

import grpc
import pytest

from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms_api.domain.keys import Scope
from kit.builders.api import NOW, Api

PROFILE = {
    "id": 1,
    "stack_level": 0,
    "purpose": "ChargingStationMaxProfile",
    "kind": "Absolute",
    "schedules": [{"id": 1, "charging_rate_unit": "A", "periods": [{"start_period": 0, "limit": 32}]}],
}


async def test_a_profile_is_handed_over_with_its_key_and_expiry(api: Api) -> None:
    body = {"evse_id": 0, "profile": PROFILE, "queue_if_offline": True, "expires_in": 600}
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(
            "/api/v1/stations/CP-1/charging-profiles", json=body, headers={"Idempotency-Key": "max-1"}
        )
    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"] == "/api/v1/stations/CP-1/charging-profiles"
    assert answer.json() == {
        "request_key": "max-1",
        "command": "set-charging-profile",
        "command_id": "cmd-1",
        "params": {"evse_id": 0, "profile": PROFILE},
        "origin": "operator",
        "queued_if_offline": True,
    }
    [sent] = api.smart_charging.requests("set-charging-profile")
    expected = sc.ProfileCommandRequest(
        station_id="CP-1",
        params_json=json.dumps({"evse_id": 0, "profile": PROFILE}),
        queue_if_offline=True,
        request_key="max-1",
    )
    expected.expires_at.FromDatetime(NOW + timedelta(seconds=600))
    assert sent == expected


@pytest.mark.parametrize(
    ("path", "body", "command", "params"),
    [
        (
            "charging-profiles/clear",
            {"purpose": "TxDefaultProfile"},
            "clear-charging-profile",
            {"purpose": "TxDefaultProfile"},
        ),
        ("charging-profiles/report", {"evse_id": 1}, "get-charging-profiles", {"evse_id": 1}),
        (
            "composite-schedule",
            {"evse_id": 1, "duration": 600},
            "get-composite-schedule",
            {"evse_id": 1, "duration": 600},
        ),
    ],
)
async def test_the_other_commands(
    api: Api, path: str, body: dict[str, object], command: str, params: dict[str, object]
) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(f"/api/v1/stations/CP-1/{path}", json=body)
    assert answer.status_code == 202, answer.text
    [sent] = api.smart_charging.requests(command)
    assert json.loads(sent.params_json) == params


async def test_bad_bodies_are_422_and_reach_nothing(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        no_profile = await client.post("/api/v1/stations/CP-1/charging-profiles", json={"evse_id": 0})
        expiry = await client.post(
            "/api/v1/stations/CP-1/charging-profiles", json={"evse_id": 0, "profile": PROFILE, "expires_in": 5}
        )
        duration = await client.post("/api/v1/stations/CP-1/composite-schedule", json={"evse_id": 1, "duration": 0})
    assert (no_profile.status_code, expiry.status_code, duration.status_code) == (422, 422, 422)
    assert api.smart_charging.calls == []


async def test_a_profile_the_station_cannot_take_is_422(api: Api) -> None:
    api.smart_charging.fail("set-charging-profile", grpc.StatusCode.INVALID_ARGUMENT, "OCPP 1.6 has no ...")
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/charging-profiles", json={"evse_id": 0, "profile": PROFILE})
    assert answer.status_code == 422
    assert "OCPP 1.6 has no" in answer.text


async def test_reading_needs_no_operate_scope_and_writing_does(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        read = await client.get("/api/v1/stations/CP-1/charging-profiles")
        write = await client.post("/api/v1/stations/CP-1/charging-profiles", json={"evse_id": 0, "profile": PROFILE})
    assert (read.status_code, write.status_code) == (200, 403)


async def test_the_view(api: Api) -> None:
    view = sc.StationChargingProfiles(
        station_id="CP-1",
        installed=[
            sc.InstalledProfile(
                evse_id=0,
                profile_id=1,
                stack_level=0,
                purpose="ChargingStationMaxProfile",
                profile_json=json.dumps(PROFILE),
                command_id="cmd-1",
            )
        ],
        requests=[
            sc.ProfileRequestState(
                request=sc.ProfileRequested(request_key="k", command="set-charging-profile", command_id="cmd-1"),
                state="ANSWERED",
                result_json='{"status": "accepted"}',
            )
        ],
        composite_params_json='{"evse_id": 1, "duration": 60}',
        composite_result_json='{"status": "accepted"}',
        reports=[sc.ReportSeen(report=sc.StationReported(action="NotifyChargingLimit", evse_id=1, payload_json="{}"))],
        reported=[
            sc.ReportedProfile(evse_id=1, ocpp_request_id=5, charging_limit_source="EMS", profile_json='{"id": 4}')
        ],
    )
    api.smart_charging.views["CP-1"] = view
    async with await api.as_(Scope.READ) as client:
        profiles = (await client.get("/api/v1/stations/CP-1/charging-profiles")).json()
        composite = (await client.get("/api/v1/stations/CP-1/composite-schedule")).json()
        none = (await client.get("/api/v1/stations/CP-2/composite-schedule")).json()
    assert [(p["profile_id"], p["purpose"], p["profile"]) for p in profiles["installed"]] == [
        (1, "ChargingStationMaxProfile", PROFILE)
    ]
    assert [(r["state"], r["result"]) for r in profiles["requests"]] == [("ANSWERED", {"status": "accepted"})]
    assert [(r["action"], r["evse_id"]) for r in profiles["reports"]] == [("NotifyChargingLimit", 1)]
    assert composite == {"asked": {"evse_id": 1, "duration": 60}, "answer": {"status": "accepted"}, "answered_at": None}
    assert none is None
    assert [(p["evse_id"], p["charging_limit_source"], p["profile"]) for p in profiles["reported"]] == [
        (1, "EMS", {"id": 4})
    ]
