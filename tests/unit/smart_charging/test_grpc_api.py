"""The SmartChargingService servicer over fakes: each profile command handed to device-model with the idempotency
key of the request (a repeat sends nothing again), refusals passed on with device-model's status, bad input
INVALID_ARGUMENT, another request under a used key ALREADY_EXISTS; the station view read from the read model."""

from __future__ import annotations

import json
from datetime import timedelta

import grpc
import pytest

from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.api.grpc_api import SmartChargingServicer
from csms_smart_charging.app.profiles import ProfileRequests
from csms_smart_charging.load.app.sites import SiteAdmin
from csms_smart_charging.load.domain.site import EvseKey
from kit.builders.smart_charging import NOW, STATION
from kit.fakes.grpc_context import CONTEXT, Aborted
from kit.fakes.load import InMemorySiteRepository
from kit.fakes.smart_charging import InMemoryRequestKeys, ListedEvents, PublishedEvents, RecordingCommands
from unit.smart_charging.events import profile, set_and_answer

SET = {"evse_id": 0, "profile": profile(1, "ChargingStationMaxProfile")}


class Api:
    def __init__(self, refusal: grpc.StatusCode | None = None) -> None:
        self.commands = RecordingCommands(NOW, refusal=refusal)
        self.events = PublishedEvents()
        self.view = ListedEvents()
        self.requests = ProfileRequests(
            InMemoryRequestKeys(), self.commands, self.events, lambda: NOW, timedelta(hours=1), 30.0
        )
        self.sites = InMemorySiteRepository()
        self.servicer = SmartChargingServicer(
            self.requests, self.view, lambda: NOW, SiteAdmin(self.sites, self.events, lambda: NOW)
        )


def command_request(params: object, key: str = "", station: str = STATION) -> smart_charging_pb2.ProfileCommandRequest:
    return smart_charging_pb2.ProfileCommandRequest(station_id=station, params_json=json.dumps(params), request_key=key)


@pytest.mark.parametrize(
    ("rpc", "command"),
    [
        ("SetChargingProfile", "set-charging-profile"),
        ("ClearChargingProfile", "clear-charging-profile"),
        ("GetCompositeSchedule", "get-composite-schedule"),
        ("GetChargingProfiles", "get-charging-profiles"),
    ],
)
async def test_each_command_is_handed_over_and_recorded(rpc: str, command: str) -> None:
    api = Api()
    response = await getattr(api.servicer, rpc)(command_request({"evse_id": 1}, key="k1"), CONTEXT)
    [sent] = api.commands.sent
    assert (sent.command, sent.params, sent.idempotency_key) == (command, {"evse_id": 1}, "smart-charging:k1")
    assert (response.request.command, response.request.command_id, response.request.request_key) == (
        command,
        "cmd-1",
        "k1",
    )
    [event] = api.events.events
    assert event.requested == response.request


async def test_a_repeat_with_the_same_key_sends_nothing_again() -> None:
    api = Api()
    first = await api.servicer.SetChargingProfile(command_request(SET, key="k"), CONTEXT)
    again = await api.servicer.SetChargingProfile(command_request(SET, key="k"), CONTEXT)
    assert len(api.commands.sent) == 1
    assert first == again
    assert api.events.events[0].event_id == api.events.events[1].event_id


async def test_another_request_under_a_used_key_is_already_exists() -> None:
    api = Api()
    await api.servicer.SetChargingProfile(command_request(SET, key="k"), CONTEXT)
    with pytest.raises(Aborted) as aborted:
        await api.servicer.ClearChargingProfile(command_request({"id": 1}, key="k"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert len(api.commands.sent) == 1


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAVAILABLE]
)
async def test_device_models_refusal_keeps_its_status_and_records_nothing(code: grpc.StatusCode) -> None:
    api = Api(refusal=code)
    with pytest.raises(Aborted) as aborted:
        await api.servicer.SetChargingProfile(command_request(SET), CONTEXT)
    assert aborted.value.code == code
    assert api.events.events == []


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (smart_charging_pb2.ProfileCommandRequest(station_id="bad id!", params_json="{}"), "invalid station_id"),
        (smart_charging_pb2.ProfileCommandRequest(station_id=STATION, params_json="{"), "params_json: not JSON"),
        (smart_charging_pb2.ProfileCommandRequest(station_id=STATION, params_json="[1]"), "must be a JSON object"),
        (smart_charging_pb2.ProfileCommandRequest(station_id=STATION, request_key="k" * 151), "request_key"),
    ],
)
async def test_bad_input_is_invalid_argument(request_: smart_charging_pb2.ProfileCommandRequest, message: str) -> None:
    api = Api()
    with pytest.raises(Aborted) as aborted:
        await api.servicer.SetChargingProfile(request_, CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert message in aborted.value.details
    assert api.commands.sent == []


async def test_queued_requests_get_the_default_expiry() -> None:
    api = Api()
    request = command_request(SET)
    request.queue_if_offline = True
    await api.servicer.SetChargingProfile(request, CONTEXT)
    [sent] = api.commands.sent
    assert (sent.queue_if_offline, sent.expires_at) == (True, NOW + timedelta(hours=1))


async def test_the_station_view() -> None:
    api = Api()
    api.view.add(*set_and_answer(1, 0, 0, profile(1, "ChargingStationMaxProfile")))
    view = await api.servicer.GetStationChargingProfiles(
        smart_charging_pb2.GetStationChargingProfilesRequest(station_id=STATION), CONTEXT
    )
    assert [(p.profile_id, p.purpose) for p in view.installed] == [(1, "ChargingStationMaxProfile")]
    assert view.station_id == STATION


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (profile(2, "ChargingStationMaxProfile"), True),
        (profile(1, "ChargingStationMaxProfile", limit=10), False),
        (profile(2, "ChargingStationMaxProfile", stack_level=1), False),
        (profile(2, "TxDefaultProfile"), False),
        ({**profile(2, "ChargingStationMaxProfile"), "valid_from": "2030-01-01T00:00:00Z"}, True),
    ],
)
async def test_a_profile_overlapping_an_installed_one_is_refused(body: dict[str, object], refused: bool) -> None:
    api = Api()
    api.view.add(
        *set_and_answer(1, 0, 0, {**profile(1, "ChargingStationMaxProfile"), "valid_to": "2031-01-01T00:00:00Z"})
    )
    request = command_request({"evse_id": 0, "profile": body})
    if not refused:
        await api.servicer.SetChargingProfile(request, CONTEXT)
        assert len(api.commands.sent) == 1
        return
    with pytest.raises(Aborted) as aborted:
        await api.servicer.SetChargingProfile(request, CONTEXT)
    assert aborted.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "profile 1 (ChargingStationMaxProfile, stack level 0, EVSE 0)" in aborted.value.details
    assert api.commands.sent == []


async def test_a_profile_valid_after_the_installed_one_passes() -> None:
    api = Api()
    api.view.add(
        *set_and_answer(1, 0, 0, {**profile(1, "ChargingStationMaxProfile"), "valid_to": "2027-01-01T00:00:00Z"})
    )
    later = {**profile(2, "ChargingStationMaxProfile"), "valid_from": "2027-01-01T00:00:00Z"}
    await api.servicer.SetChargingProfile(command_request({"evse_id": 0, "profile": later}), CONTEXT)
    assert len(api.commands.sent) == 1


SITE = {
    "name": "Depot",
    "limit": 32,
    "evses": [
        {"station_id": "CP-1", "evse_id": 1, "min_a": 6, "priority": 2},
        {"station_id": "CP-2", "evse_id": 1, "min_a": 10},
    ],
}


def put_site(site_id: str, body: object) -> smart_charging_pb2.PutSiteRequest:
    return smart_charging_pb2.PutSiteRequest(site_id=site_id, definition_json=json.dumps(body))


async def test_a_site_is_put_read_listed_and_deleted_each_change_published_keyed_by_site() -> None:
    api = Api()
    put = await api.servicer.PutSite(put_site("depot", SITE), CONTEXT)
    assert (put.site.site_id, put.site.name, put.site.limit, len(put.site.evses)) == ("depot", "Depot", 32.0, 2)
    assert (put.shortfall.minimum_sum, put.shortfall.below_minimums) == (16.0, False)
    assert (await api.servicer.GetSite(smart_charging_pb2.SiteRequest(site_id="depot"), CONTEXT)).site == put.site
    listed = await api.servicer.ListSites(smart_charging_pb2.ListSitesRequest(), CONTEXT)
    assert ([site.site_id for site in listed.sites], listed.next_page_token) == (["depot"], "")
    await api.servicer.DeleteSite(smart_charging_pb2.SiteRequest(site_id="depot"), CONTEXT)
    assert [event.WhichOneof("event") for event in api.events.events] == ["site_defined", "site_deleted"]
    assert {event.site_id for event in api.events.events} == {"depot"}
    with pytest.raises(Aborted) as aborted:
        await api.servicer.GetSite(smart_charging_pb2.SiteRequest(site_id="depot"), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.NOT_FOUND, "no site 'depot'")


@pytest.mark.parametrize(
    ("request_", "code", "details"),
    [
        (smart_charging_pb2.PutSiteRequest(site_id="s", definition_json="{"), "INVALID_ARGUMENT", "not JSON"),
        (put_site("s", {"limit": -1}), "INVALID_ARGUMENT", "limit must be a finite number >= 0"),
        (put_site("a/b", SITE), "INVALID_ARGUMENT", "site id must be"),
        (put_site("s", {**SITE, "evses": [{"station_id": "CP-1", "evse_id": 1, "min_a": 20, "max_a": 10}]}),
         "INVALID_ARGUMENT", "max_a 10.0 is below min_a 20.0"),
        (put_site("other", {"limit": 10, "evses": [{"station_id": "CP-2", "evse_id": 1}]}),
         "FAILED_PRECONDITION", "EVSE CP-2/1 already belongs to site 'depot'"),
    ],
)  # fmt: skip
async def test_a_bad_site_is_refused_with_the_reason(
    request_: smart_charging_pb2.PutSiteRequest, code: str, details: str
) -> None:
    api = Api()
    await api.servicer.PutSite(put_site("depot", SITE), CONTEXT)
    with pytest.raises(Aborted) as aborted:
        await api.servicer.PutSite(request_, CONTEXT)
    assert aborted.value.code == getattr(grpc.StatusCode, code)
    assert details in aborted.value.details
    assert len(api.events.events) == 1


async def test_a_limit_below_the_minimums_is_accepted_and_says_who_would_pause() -> None:
    api = Api()
    await api.servicer.PutSite(put_site("depot", SITE), CONTEXT)
    for key, limit_a in {("CP-1", 1): 20.0, ("CP-2", 1): 12.0}.items():
        await api.sites.save_installed("depot", EvseKey(*key), limit_a)
    answer = await api.servicer.SetSiteLimit(smart_charging_pb2.SetSiteLimitRequest(site_id="depot", limit=12), CONTEXT)
    assert answer.site.limit == 12.0
    assert (answer.shortfall.minimum_sum, answer.shortfall.below_minimums) == (16.0, True)
    assert [(ref.station_id, ref.evse_id) for ref in answer.shortfall.would_pause] == [("CP-2", 1)]
    changed = api.events.events[-1]
    assert (changed.site_id, changed.site_limit_changed.limit, changed.site_limit_changed.previous_limit) == (
        "depot",
        12.0,
        32.0,
    )
    allocation = await api.servicer.GetSiteAllocation(smart_charging_pb2.SiteRequest(site_id="depot"), CONTEXT)
    assert [(e.station_id, e.limit_a, e.enforced) for e in allocation.evses] == [
        ("CP-1", 20.0, True),
        ("CP-2", 12.0, True),
    ]
    assert allocation.allocated == 32.0


@pytest.mark.parametrize(
    ("limit", "unit", "details"),
    [(-1.0, "", "limit must be a finite number >= 0"), (10.0, "W", "site depot's limit is in A")],
)
async def test_a_bad_limit_is_refused_and_nothing_published(limit: float, unit: str, details: str) -> None:
    api = Api()
    await api.servicer.PutSite(put_site("depot", SITE), CONTEXT)
    request = smart_charging_pb2.SetSiteLimitRequest(site_id="depot", limit=limit, unit=unit)
    with pytest.raises(Aborted) as aborted:
        await api.servicer.SetSiteLimit(request, CONTEXT)
    assert (aborted.value.code, details in aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, True)
    assert len(api.events.events) == 1
    site = await api.sites.get("depot")
    assert site is not None and site.site.limit == 32.0


async def test_site_storage_down_is_unavailable_and_a_bad_page_token_invalid() -> None:
    api = Api()
    with pytest.raises(Aborted) as aborted:
        await api.servicer.ListSites(smart_charging_pb2.ListSitesRequest(page_token="!"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(Aborted) as aborted:
        await api.servicer.ListSites(smart_charging_pb2.ListSitesRequest(page_size=501), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
    api.sites.unavailable = True
    with pytest.raises(Aborted) as aborted:
        await api.servicer.PutSite(put_site("depot", SITE), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.UNAVAILABLE
    assert api.events.events == []
