"""Firmware campaigns over HTTP: a body becomes CreateCampaign, list/show map the views, controls and PATCH
(merged onto the current settings) reach ControlCampaign; scopes and the service's errors apply."""

from __future__ import annotations

import grpc

from csms.firmware.v1 import firmware_pb2 as fw
from csms_api.domain.keys import Scope
from kit.builders.api import Api

BODY = {
    "campaign_id": "c1",
    "name": "2.0 rollout",
    "stations": ["CP-1", "CP-2"],
    "vendor": "Acme",
    "target": {"location": "https://fw.example/2.0.bin", "version": "2.0"},
    "settings": {"canary_size": 2, "wave_size": 50, "concurrency": 20, "window": {"start": "22:00", "end": "04:00"}},
}


async def test_a_campaign_is_created_shown_controlled_and_its_threshold_raised(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        created = await client.post("/api/v1/firmware/campaigns", json=BODY)
        assert created.status_code == 201, created.text
        assert created.headers["Location"] == "/api/v1/firmware/campaigns/c1"
        [sent] = api.firmware.requests("create_campaign")
        assert (list(sent.stations), sent.vendor, sent.target.location) == (
            ["CP-1", "CP-2"],
            "Acme",
            "https://fw.example/2.0.bin",
        )
        assert (sent.settings.concurrency, sent.settings.window.start, sent.settings.failure_threshold) == (
            20,
            "22:00",
            0.1,
        )
        paused = await client.post("/api/v1/firmware/campaigns/c1/pause")
        assert paused.json()["status"] == "paused"
        raised = await client.patch("/api/v1/firmware/campaigns/c1", json={"failure_threshold": 0.3})
        assert raised.status_code == 200, raised.text
        assert (raised.json()["settings"]["failure_threshold"], raised.json()["settings"]["concurrency"]) == (0.3, 20)
        shown = await client.get("/api/v1/firmware/campaigns/c1")
        assert shown.json()["stations"] == []
        listed = await client.get("/api/v1/firmware/campaigns")
        assert [c["campaign_id"] for c in listed.json()["campaigns"]] == ["c1"]
        assert (await client.get("/api/v1/firmware/campaigns/nope")).status_code == 404


async def test_bad_campaigns_are_422_and_controls_need_the_operate_scope(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        both = await client.post(
            "/api/v1/firmware/campaigns",
            json={**BODY, "target": {"location": "https://x/y", "image_id": "img"}},
        )
        assert both.status_code == 422 and "exactly one" in both.text
        window = await client.post(
            "/api/v1/firmware/campaigns", json={**BODY, "settings": {"window": {"start": "25:00", "end": "01:00"}}}
        )
        assert window.status_code == 422
        assert (await client.post("/api/v1/firmware/campaigns/c1/reboot")).status_code == 422
    assert api.firmware.requests("create_campaign") == []
    api.firmware.campaigns["c1"] = fw.CampaignView(campaign_id="c1", status="running")
    api.firmware.fail("control_campaign", grpc.StatusCode.FAILED_PRECONDITION, "the campaign is already running")
    async with await api.as_(Scope.OPERATE) as client:
        refused = await client.post("/api/v1/firmware/campaigns/c1/resume")
        assert refused.status_code == 409
    async with await api.as_(Scope.READ) as client:
        assert (await client.post("/api/v1/firmware/campaigns/c1/abort")).status_code == 403
        assert (await client.get("/api/v1/firmware/campaigns")).status_code == 200
