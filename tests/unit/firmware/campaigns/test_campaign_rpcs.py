"""FirmwareService's campaign rpcs over fakes: create (explicit and filtered targets, idempotent by id, bad input
named), show with stations, list, and the controls recorded as events (refused when the state forbids them); and
the campaigns projection's writes."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2 as fw
from csms_firmware.campaigns.api.grpc_api import CampaignRpcs
from csms_firmware.campaigns.domain.campaign import Paused, SettingsChanged
from csms_firmware.campaigns.domain.messages import to_message
from csms_firmware.campaigns.projections.campaigns import PROJECTION
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from kit.fakes.firmware_campaigns import ListedCampaignLog, ListedStations
from kit.fakes.grpc_context import CONTEXT, Aborted

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
KNOWN = [
    device_model_pb2.Station(station_id="A1", vendor="Acme", model="X", firmware_version="1.0"),
    device_model_pb2.Station(station_id="A2", vendor="Acme", model="Y", firmware_version="1.0"),
    device_model_pb2.Station(station_id="A3", vendor="Acme", model="X", firmware_version="2.0"),
    device_model_pb2.Station(station_id="B1", vendor="Bolt", model="X", firmware_version="1.0"),
]
TARGET = fw.CampaignTarget(version="2.0", location="https://fw.example/2.0.bin")


def rpcs() -> tuple[CampaignRpcs, ListedCampaignLog]:
    log = ListedCampaignLog()
    return CampaignRpcs(log, ListedStations(KNOWN), lambda: NOW), log


async def test_a_campaign_targets_the_list_and_the_stations_matching_every_filter_once() -> None:
    api, log = rpcs()
    request = fw.CreateCampaignRequest(
        campaign_id="c1", stations=["Z9", "A1"], vendor="Acme", model="X", current_version="1.0", target=TARGET
    )
    created = await api.CreateCampaign(request, CONTEXT)
    assert (created.campaign_id, created.status, created.counts["waiting"]) == ("c1", "running", 2)
    again = await api.CreateCampaign(request, CONTEXT)
    assert again.campaign_id == "c1" and len(log.events) == 1
    shown = await api.GetCampaign(fw.GetCampaignRequest(campaign_id="c1"), CONTEXT)
    assert [s.station_id for s in shown.stations] == ["Z9", "A1"]
    listed = await api.ListCampaigns(fw.ListCampaignsRequest(), CONTEXT)
    assert [c.campaign_id for c in listed.campaigns] == ["c1"]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (fw.CreateCampaignRequest(target=TARGET), "no station"),
        (fw.CreateCampaignRequest(stations=["bad id!"], target=TARGET), "station"),
        (fw.CreateCampaignRequest(stations=["A1"]), "exactly one of image_id and location"),
        (
            fw.CreateCampaignRequest(stations=["A1"], target=TARGET, settings=fw.CampaignSettings(failure_threshold=2)),
            "failure_threshold",
        ),
    ],
)
async def test_bad_campaigns_are_invalid_argument_naming_the_field(
    request_: fw.CreateCampaignRequest, message: str
) -> None:
    api, log = rpcs()
    with pytest.raises(Aborted) as refused:
        await api.CreateCampaign(request_, CONTEXT)
    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert message in refused.value.details
    assert log.events == []


async def test_controls_are_recorded_once_per_request_and_refused_when_the_state_forbids_them() -> None:
    api, log = rpcs()
    await api.CreateCampaign(fw.CreateCampaignRequest(campaign_id="c1", stations=["A1"], target=TARGET), CONTEXT)
    paused = await api.ControlCampaign(fw.ControlCampaignRequest(campaign_id="c1", action="pause"), CONTEXT)
    assert paused.status == "paused"
    assert isinstance(log.events[-1].change, Paused)
    with pytest.raises(Aborted) as refused:
        await api.ControlCampaign(fw.ControlCampaignRequest(campaign_id="c1", action="pause"), CONTEXT)
    assert refused.value.code == grpc.StatusCode.FAILED_PRECONDITION
    raised = await api.ControlCampaign(
        fw.ControlCampaignRequest(
            campaign_id="c1", action="settings", settings=fw.CampaignSettings(failure_threshold=0.5), control_id="k"
        ),
        CONTEXT,
    )
    assert raised.settings.failure_threshold == 0.5
    assert isinstance(log.events[-1].change, SettingsChanged)
    resumed = await api.ControlCampaign(fw.ControlCampaignRequest(campaign_id="c1", action="resume"), CONTEXT)
    assert resumed.status == "running"
    with pytest.raises(Aborted) as unknown:
        await api.ControlCampaign(fw.ControlCampaignRequest(campaign_id="c1", action="reboot"), CONTEXT)
    assert unknown.value.code == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(Aborted) as missing:
        await api.GetCampaign(fw.GetCampaignRequest(campaign_id="nope"), CONTEXT)
    assert missing.value.code == grpc.StatusCode.NOT_FOUND
    aborted = await api.ControlCampaign(fw.ControlCampaignRequest(campaign_id="c1", action="abort"), CONTEXT)
    assert aborted.status == "aborted"
    assert await log.active() == []


async def test_the_projection_stores_every_event_and_lists_the_campaign_until_it_is_over() -> None:
    api, log = rpcs()
    await api.CreateCampaign(fw.CreateCampaignRequest(campaign_id="c1", stations=["A1"], target=TARGET), CONTEXT)
    await api.ControlCampaign(fw.ControlCampaignRequest(campaign_id="c1", action="abort"), CONTEXT)
    assert PROJECTION.topics == (FIRMWARE_CAMPAIGNS,)
    created, aborted = (PROJECTION.writes([to_message(e)], None) for e in log.events)
    assert [w.cql.split()[2] for w in created] == ["{ks}.campaign_events", "{ks}.campaigns"]
    assert created[0].params[:3] == ("c1", NOW, log.events[0].event_id)
    assert [w.cql.split()[1] for w in aborted] == ["INTO", "{ks}.campaigns"]
    with pytest.raises(ValueError, match="campaign_id"):
        PROJECTION.writes([fw.CampaignEvent(event_id="x")], None)
