"""Local list RPCs over fakes: pushes to a station and to a group with per-station results, version tracking,
updates split to the limits a station reports, and the station's GetLocalListVersion answer."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.ports import StationListVersion
from csms_kernel.clients.station_calls import (
    Answered,
    CallErrorAnswer,
    CallFailed,
    CallTimedOut,
    StationOffline,
    answered,
)
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization_grpc import NOW, Service
from kit.fakes.authorization import InMemoryStationRegistry
from kit.fakes.grpc_context import CONTEXT, Aborted
from kit.fakes.station_calls import FakeStationCalls

NO_GET_CONFIGURATION = CallErrorAnswer("NotImplemented", "no handler for GetConfiguration")
LIMITS_16 = ("GetConfiguration", {"key": ["SendLocalListMaxLength", "LocalAuthListMaxLength"]})


async def add_tokens(servicer: AuthorizationServicer, *id_tokens: str) -> None:
    for id_token in id_tokens or ("A", "B"):
        request = pb.UpsertIdTokenRequest(id_token=id_token, type=pb.ID_TOKEN_TYPE_ISO14443, local_list=True)
        await servicer.UpsertIdToken(request, CONTEXT)


def limits_16(items: str | None = None, capacity: str | None = None) -> dict[str, Any]:
    """A 1.6 GetConfiguration answer with these limits."""
    keys = [("SendLocalListMaxLength", items), ("LocalAuthListMaxLength", capacity)]
    return {
        "configurationKey": [{"key": k, "readonly": True, "value": v} for k, v in keys if v is not None],
        "unknownKey": [k for k, v in keys if v is None],
    }


async def push(servicer: AuthorizationServicer, **fields: Any) -> list[pb.LocalListPushResult]:
    response = await servicer.PushLocalList(pb.PushLocalListRequest(**fields), CONTEXT)
    return list(response.results)


async def test_a_full_push_to_a_16_station_records_its_version(
    servicer: AuthorizationServicer, service: Service
) -> None:
    await add_tokens(servicer)
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "GetConfiguration"] = NO_GET_CONFIGURATION  # no limits: one message
    service.stations.answers["CS-1", "SendLocalList"] = {"status": "Accepted"}
    assert await push(servicer, station_id="CS-1", timeout_ms=2500) == [
        pb.LocalListPushResult(
            station_id="CS-1", outcome=pb.PUSH_OUTCOME_ACCEPTED, detail="full", version_number=2, entries=2
        )
    ]
    payload = {
        "listVersion": 2,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idTag": "A", "idTagInfo": {"status": "Accepted"}},
            {"idTag": "B", "idTagInfo": {"status": "Accepted"}},
        ],
    }
    assert service.stations.calls == [("CS-1", *LIMITS_16, 2.5), ("CS-1", "SendLocalList", payload, 2.5)]
    assert service.local_list.stations == {"CS-1": StationListVersion(2, NOW)}
    status = await servicer.GetLocalListStatus(pb.GetLocalListStatusRequest(station_id="CS-1"), CONTEXT)
    assert status == pb.GetLocalListStatusResponse(
        list_version=2, station_version_known=True, station_version=2, station_version_recorded_at=timestamp(NOW)
    )


async def test_a_differential_push_sends_only_what_changed_since_the_station_version(
    servicer: AuthorizationServicer, service: Service
) -> None:
    await add_tokens(servicer)
    service.local_list.stations["CS-1"] = StationListVersion(1, NOW)
    service.stations.versions["CS-1"] = OcppVersion.V201
    service.stations.answers["CS-1", "SendLocalList"] = {"status": "Accepted"}
    [result] = await push(servicer, station_id="CS-1", differential=True)
    assert (result.outcome, result.detail, result.version_number, result.entries) == (
        pb.PUSH_OUTCOME_ACCEPTED,
        "differential since 1",
        2,
        1,
    )
    assert service.stations.calls[0][2] == {
        "versionNumber": 2,
        "updateType": "Differential",
        "localAuthorizationList": [
            {"idToken": {"idToken": "B", "type": "ISO14443"}, "idTokenInfo": {"status": "Accepted"}}
        ],
    }
    assert service.stations.calls[0][3] == 30.0


@pytest.mark.parametrize(
    ("answer", "outcome", "detail"),
    [
        ({"status": "Failed"}, pb.PUSH_OUTCOME_FAILED, "full"),
        ({"status": "VersionMismatch"}, pb.PUSH_OUTCOME_VERSION_MISMATCH, "full"),
        ({"status": "NotSupported"}, pb.PUSH_OUTCOME_NOT_SUPPORTED, "full"),
        (StationOffline("station CS-1 is offline"), pb.PUSH_OUTCOME_OFFLINE, "station CS-1 is offline"),
        (CallTimedOut("no answer in time"), pb.PUSH_OUTCOME_TIMEOUT, "no answer in time"),
        (CallErrorAnswer("NotImplemented", "no local list"), pb.PUSH_OUTCOME_ERROR, "NotImplemented: no local list"),
        (CallFailed("device-model UNAVAILABLE: refused"), pb.PUSH_OUTCOME_ERROR, "device-model UNAVAILABLE: refused"),
    ],
)
async def test_other_answers_are_reported_and_not_recorded(
    servicer: AuthorizationServicer, service: Service, answer: dict[str, Any] | Exception, outcome: int, detail: str
) -> None:
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "SendLocalList"] = answer
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail) == (outcome, detail)
    assert service.local_list.stations == {}


async def test_a_list_over_the_station_limit_goes_in_several_messages(
    servicer: AuthorizationServicer, service: Service
) -> None:
    await add_tokens(servicer, "A", "B", "C")
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "GetConfiguration"] = limits_16(items="2", capacity="10")
    service.stations.answers["CS-1", "SendLocalList"] = {"status": "Accepted"}
    assert await push(servicer, station_id="CS-1") == [
        pb.LocalListPushResult(
            station_id="CS-1",
            outcome=pb.PUSH_OUTCOME_ACCEPTED,
            detail="full, 2 messages",
            version_number=3,
            entries=3,
        )
    ]
    accepted = {"status": "Accepted"}
    assert [(action, payload) for _, action, payload, _ in service.stations.calls] == [
        LIMITS_16,
        (
            "SendLocalList",
            {
                "listVersion": 2,
                "updateType": "Full",
                "localAuthorizationList": [
                    {"idTag": "A", "idTagInfo": accepted},
                    {"idTag": "B", "idTagInfo": accepted},
                ],
            },
        ),
        (
            "SendLocalList",
            {
                "listVersion": 3,
                "updateType": "Differential",
                "localAuthorizationList": [{"idTag": "C", "idTagInfo": accepted}],
            },
        ),
    ]
    assert service.local_list.stations == {"CS-1": StationListVersion(3, NOW)}


async def test_a_2x_station_reports_its_items_per_message(servicer: AuthorizationServicer, service: Service) -> None:
    await add_tokens(servicer, "A", "B", "C")
    service.stations.versions["CS-1"] = OcppVersion.V201
    items_per_message = {
        "attributeStatus": "Accepted",
        "attributeValue": "1",
        "component": {"name": "LocalAuthListCtrlr"},
        "variable": {"name": "ItemsPerMessage"},
    }
    service.stations.answers["CS-1", "GetVariables"] = {"getVariableResult": [items_per_message]}
    service.stations.answers["CS-1", "SendLocalList"] = {"status": "Accepted"}
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail, result.version_number) == (pb.PUSH_OUTCOME_ACCEPTED, "full, 3 messages", 3)
    sent = [
        (p["versionNumber"], p["updateType"]) for _, action, p, _ in service.stations.calls if action == "SendLocalList"
    ]
    assert sent == [(1, "Full"), (2, "Differential"), (3, "Differential")]
    assert service.stations.calls[0][1:3] == (
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": "ItemsPerMessage"}},
                {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": "BytesPerMessage"}},
            ]
        },
    )


@pytest.mark.parametrize(
    ("second", "outcome", "detail"),
    [
        (
            {"status": "Failed"},
            pb.PUSH_OUTCOME_FAILED,
            "full, 3 messages, stopped at message 2 (it holds version 1)",
        ),
        (
            CallTimedOut("no answer in time"),
            pb.PUSH_OUTCOME_TIMEOUT,
            "no answer in time; full, 3 messages, stopped at message 2 (it holds version 1)",
        ),
    ],
)
async def test_a_split_push_stops_at_the_first_message_not_accepted(
    servicer: AuthorizationServicer,
    service: Service,
    second: dict[str, Any] | Exception,
    outcome: int,
    detail: str,
) -> None:
    await add_tokens(servicer, "A", "B", "C")
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "GetConfiguration"] = limits_16(items="1")
    service.stations.answers["CS-1", "SendLocalList"] = [{"status": "Accepted"}, second, {"status": "Accepted"}]
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail, result.version_number, result.entries) == (outcome, detail, 3, 3)
    assert [action for _, action, _, _ in service.stations.calls] == [
        "GetConfiguration",
        "SendLocalList",
        "SendLocalList",
    ]
    # What the station accepted is in step with version 1: the next differential push starts there.
    assert service.local_list.stations == {"CS-1": StationListVersion(1, NOW)}


async def test_a_first_message_not_accepted_records_nothing(servicer: AuthorizationServicer, service: Service) -> None:
    await add_tokens(servicer, "A", "B", "C")
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "GetConfiguration"] = limits_16(items="1")
    service.stations.answers["CS-1", "SendLocalList"] = {"status": "Failed"}
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail) == (
        pb.PUSH_OUTCOME_FAILED,
        "full, 3 messages, stopped at message 1 (none accepted)",
    )
    assert service.local_list.stations == {}


async def test_a_list_larger_than_the_station_holds_is_not_sent(
    servicer: AuthorizationServicer, service: Service
) -> None:
    await add_tokens(servicer, "A", "B", "C")
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "GetConfiguration"] = limits_16(capacity="2")
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail, result.entries) == (
        pb.PUSH_OUTCOME_ERROR,
        "full, 3 entries for a list of at most 2: not sent",
        3,
    )
    assert [action for _, action, _, _ in service.stations.calls] == ["GetConfiguration"]


async def test_an_update_of_one_entry_is_sent_without_asking_for_limits(
    servicer: AuthorizationServicer, service: Service
) -> None:
    await add_tokens(servicer, "A")
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "SendLocalList"] = {"status": "Accepted"}
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail) == (pb.PUSH_OUTCOME_ACCEPTED, "full")
    assert [action for _, action, _, _ in service.stations.calls] == ["SendLocalList"]


@pytest.mark.parametrize(
    ("answer", "outcome", "detail"),
    [
        (CallTimedOut("no answer in time"), pb.PUSH_OUTCOME_TIMEOUT, "no answer in time"),
        (StationOffline("station CS-1 is offline"), pb.PUSH_OUTCOME_OFFLINE, "station CS-1 is offline"),
        (CallFailed("device-model UNAVAILABLE: refused"), pb.PUSH_OUTCOME_ERROR, "device-model UNAVAILABLE: refused"),
    ],
)
async def test_a_limits_question_without_an_answer_sends_nothing(
    servicer: AuthorizationServicer, service: Service, answer: Exception, outcome: int, detail: str
) -> None:
    await add_tokens(servicer)
    service.stations.versions["CS-1"] = OcppVersion.V16
    service.stations.answers["CS-1", "GetConfiguration"] = answer
    [result] = await push(servicer, station_id="CS-1")
    assert (result.outcome, result.detail) == (outcome, detail)
    assert [action for _, action, _, _ in service.stations.calls] == ["GetConfiguration"]


async def test_a_disconnected_station_is_offline_without_a_call(
    servicer: AuthorizationServicer, service: Service
) -> None:
    assert await push(servicer, station_id="CS-1") == [
        pb.LocalListPushResult(station_id="CS-1", outcome=pb.PUSH_OUTCOME_OFFLINE, detail="not connected")
    ]
    assert service.stations.calls == []


class Gate(FakeStationCalls):
    """Counts calls in flight and holds each until released."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most = 0
        self.release = asyncio.Event()
        self.four_in_flight = asyncio.Event()

    async def send(self, station_id: str, request: Any, timeout_s: float) -> Answered:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        if self.in_flight == 4:
            self.four_in_flight.set()
        await self.release.wait()
        self.in_flight -= 1
        return answered(request, "m1", {"status": "Accepted"})


async def test_a_group_push_calls_its_stations_concurrently_within_the_bound() -> None:
    gate = Gate()
    service = Service(stations=gate)
    registry = service.registry
    assert isinstance(registry, InMemoryStationRegistry)
    for i in range(10):
        gate.versions[f"CS-{i}"] = OcppVersion.V201
        await registry.set_group(f"CS-{i}", "site-a", 1)
    await registry.set_group("CS-x", "site-b", 1)
    task = asyncio.create_task(push(service.servicer, station_group="site-a"))
    await asyncio.wait_for(gate.four_in_flight.wait(), timeout=10)
    for _ in range(20):  # let any further call start, if the bound did not hold
        await asyncio.sleep(0)
    assert (gate.in_flight, gate.most) == (4, 4)  # the bound of kit.builders.authorization_grpc.Service
    gate.release.set()
    results = await task
    assert [(r.station_id, r.outcome) for r in results] == [(f"CS-{i}", pb.PUSH_OUTCOME_ACCEPTED) for i in range(10)]
    assert set(service.local_list.stations) == {f"CS-{i}" for i in range(10)}


@pytest.mark.parametrize(
    ("request_", "code", "message"),
    [
        (pb.PushLocalListRequest(station_group="nobody"), grpc.StatusCode.NOT_FOUND, "no station in group nobody"),
        (pb.PushLocalListRequest(), grpc.StatusCode.INVALID_ARGUMENT, "a station_id or a station_group is required"),
        (
            pb.PushLocalListRequest(station_group="a b"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "group must be 1..64 printable ASCII characters without spaces",
        ),
    ],
)
async def test_bad_targets(
    servicer: AuthorizationServicer, request_: pb.PushLocalListRequest, code: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.PushLocalList(request_, CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (code, message)


@pytest.mark.parametrize(
    ("version", "answer"), [(OcppVersion.V16, {"listVersion": 5}), (OcppVersion.V21, {"versionNumber": 5})]
)
async def test_refresh_asks_the_station_and_records_its_version(
    servicer: AuthorizationServicer, service: Service, version: OcppVersion, answer: dict[str, int]
) -> None:
    service.stations.versions["CS-1"] = version
    service.stations.answers["CS-1", "GetLocalListVersion"] = answer
    response = await servicer.RefreshLocalListVersion(pb.RefreshLocalListVersionRequest(station_id="CS-1"), CONTEXT)
    assert response == pb.RefreshLocalListVersionResponse(version_number=5)
    assert service.stations.calls == [("CS-1", "GetLocalListVersion", {}, 30.0)]
    assert service.local_list.stations == {"CS-1": StationListVersion(5, NOW)}


@pytest.mark.parametrize(
    ("answer", "code", "message"),
    [
        (None, grpc.StatusCode.FAILED_PRECONDITION, "station CS-1 is offline"),
        (CallTimedOut("no answer"), grpc.StatusCode.DEADLINE_EXCEEDED, "no answer"),
        (CallErrorAnswer("NotSupported", ""), grpc.StatusCode.ABORTED, "the station answered CALLERROR NotSupported"),
        (CallFailed("device-model down"), grpc.StatusCode.UNAVAILABLE, "device-model down"),
    ],
)
async def test_refresh_failures(
    servicer: AuthorizationServicer, service: Service, answer: Exception | None, code: grpc.StatusCode, message: str
) -> None:
    if answer is not None:
        service.stations.versions["CS-1"] = OcppVersion.V201
        service.stations.answers["CS-1", "GetLocalListVersion"] = answer
    with pytest.raises(Aborted) as aborted:
        await servicer.RefreshLocalListVersion(pb.RefreshLocalListVersionRequest(station_id="CS-1"), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (code, message)
    assert service.local_list.stations == {}


async def test_status_of_a_station_never_heard_of(servicer: AuthorizationServicer) -> None:
    status = await servicer.GetLocalListStatus(pb.GetLocalListStatusRequest(station_id="CS-1"), CONTEXT)
    assert status == pb.GetLocalListStatusResponse(list_version=0)
