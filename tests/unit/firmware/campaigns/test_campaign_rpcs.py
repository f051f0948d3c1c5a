"""FirmwareService's campaign rpcs over fakes: create (explicit and filtered targets, idempotent by id, bad input
named, readable as soon as it is answered), show with one page of stations, list, and the controls recorded as
events (refused when the state forbids them); and the campaigns projection's writes: events, list, summary and
station rows from the fold its current-state step keeps (re-read when another instance projected meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2 as fw
from csms_firmware.campaigns.api.grpc_api import CampaignRpcs
from csms_firmware.campaigns.domain.campaign import (
    AttemptStarted,
    Created,
    Event,
    Paused,
    Settings,
    SettingsChanged,
    Spec,
    Target,
    WaveStarted,
    event,
)
from csms_firmware.campaigns.domain.messages import to_message
from csms_firmware.campaigns.projections.campaigns import PROJECTION, CampaignFolds
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from csms_kernel.projecting.writes import Write
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
    assert [s.station_id for s in shown.stations] == ["A1", "Z9"]  # pages go in station id order
    assert log.events[0].change.spec.stations == ("Z9", "A1")  # type: ignore[union-attr]  # the rollout order
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
    created, aborted = (PROJECTION.writes([to_message(e)], {}) for e in log.events)
    assert [w.cql.split()[2] for w in created] == ["{ks}.campaign_events", "{ks}.campaigns"]
    assert created[0].params[:3] == ("c1", NOW, log.events[0].event_id)
    assert [w.cql.split()[1] for w in aborted] == ["INTO", "{ks}.campaigns"]
    with pytest.raises(ValueError, match="campaign_id"):
        PROJECTION.writes([fw.CampaignEvent(event_id="x")], {})


async def test_a_campaign_is_readable_as_soon_as_its_creation_is_answered() -> None:
    api, log = rpcs()
    log.readable = False  # the projector has not got to it (yet)
    await api.CreateCampaign(fw.CreateCampaignRequest(campaign_id="c1", stations=["A1"], target=TARGET), CONTEXT)
    assert log.made_readable == ["c1"]
    shown = await api.GetCampaign(fw.GetCampaignRequest(campaign_id="c1"), CONTEXT)
    assert (shown.status, [s.state for s in shown.stations]) == ("running", ["waiting"])
    with pytest.raises(Aborted) as caught:
        await api.GetCampaign(fw.GetCampaignRequest(campaign_id="other"), CONTEXT)
    assert caught.value.code == grpc.StatusCode.NOT_FOUND


async def test_show_pages_the_stations_and_refuses_a_page_too_large() -> None:
    api, _log = rpcs()
    stations = [f"S{i}" for i in range(5)]
    await api.CreateCampaign(fw.CreateCampaignRequest(campaign_id="c1", stations=stations, target=TARGET), CONTEXT)
    seen: list[str] = []
    token = ""
    for _ in range(5):
        page = await api.GetCampaign(fw.GetCampaignRequest(campaign_id="c1", page_size=2, page_token=token), CONTEXT)
        assert page.counts["waiting"] == 5 and len(page.stations) <= 2
        seen += [s.station_id for s in page.stations]
        token = page.next_page_token
        if not token:
            break
    assert seen == stations
    with pytest.raises(Aborted) as caught:
        await api.GetCampaign(fw.GetCampaignRequest(campaign_id="c1", page_size=5001), CONTEXT)
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and "page_size" in caught.value.details


@dataclass
class ReadModel:
    """The read model the projection's current-state step reads: the events written so far and the summaries'
    event counts (as the writes left them)."""

    events: list[Event] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    loads: int = 0

    async def load(self, campaign_id: str) -> list[Event]:
        self.loads += 1
        return [e for e in self.events if e.campaign_id == campaign_id]

    async def folded(self, campaign_id: str) -> int | None:
        return self.counts.get(campaign_id)

    def written(self, writes: list[Write]) -> None:
        for write in writes:
            if "campaign_summaries" in write.cql:
                self.counts[str(write.params[0])] = int(write.params[1])  # type: ignore[call-overload]


def spec(stations: tuple[str, ...]) -> Spec:
    return Spec("c1", stations, Target("2.0", location="https://fw.example/2.0.bin"), Settings(concurrency=2))


async def project(folds: CampaignFolds, model: ReadModel, events: list[Event]) -> list[Write]:
    messages = [to_message(e) for e in events]
    writes = PROJECTION.writes(messages, await folds.read(messages))
    model.events += events
    model.written(writes)
    return writes


async def test_the_summary_and_the_changed_stations_are_written_from_the_fold_without_rereading_it() -> None:
    model = ReadModel()
    folds = CampaignFolds(model)
    created = event("c1", NOW, Created(spec(("S1", "S2", "S3"))))
    writes = await project(folds, model, [created])
    [created_summary] = [w for w in writes if "campaign_summaries" in w.cql]
    stations = [w.params[1:5] for w in writes if "campaign_stations" in w.cql]
    assert stations == [("S1", "waiting", 0, -1), ("S2", "waiting", 0, -1), ("S3", "waiting", 0, -1)]
    first_at = created_summary.params[3]
    later = NOW + timedelta(seconds=5)
    writes = await project(
        folds,
        model,
        [event("c1", later, WaveStarted(0, ("S1", "S2"))), event("c1", later, AttemptStarted("S1", 1))],
    )
    [summary] = [w for w in writes if "campaign_summaries" in w.cql]
    view = fw.CampaignView.FromString(summary.params[2])  # type: ignore[arg-type]
    assert (summary.params[1], view.counts["updating"], view.counts["pending"], view.waves) == (3, 1, 1, 1)
    assert summary.params[3] == first_at + 2  # type: ignore[operator]  # grows with the events folded
    assert sorted(w.params[1:3] for w in writes if "campaign_stations" in w.cql) == [
        ("S1", "updating"),
        ("S2", "pending"),
    ]
    assert model.loads == 1  # the campaign was read once, when first seen
    again = await project(folds, model, [event("c1", later, AttemptStarted("S1", 1))])
    assert [w.params[1] for w in again if "campaign_summaries" in w.cql] == [3]  # a redelivery folds nothing new


async def test_a_fold_other_than_the_summary_s_is_read_again() -> None:
    model = ReadModel()
    mine, theirs = CampaignFolds(model), CampaignFolds(model)
    await project(mine, model, [event("c1", NOW, Created(spec(("S1", "S2"))))])
    # Another instance projected the campaign meanwhile (a rebalance moved its partition there and back).
    await project(theirs, model, [event("c1", NOW, WaveStarted(0, ("S1", "S2")))])
    writes = await project(mine, model, [event("c1", NOW, AttemptStarted("S2", 1))])
    [summary] = [w for w in writes if "campaign_summaries" in w.cql]
    view = fw.CampaignView.FromString(summary.params[2])  # type: ignore[arg-type]
    assert (summary.params[1], view.counts["pending"], view.counts["updating"]) == (3, 1, 1)
