"""ListStationEvents, ListMonitors and GetCustomerInformation of the wired servicer over fakes: paging newest
first, the filters (a 2.0.1 event takes its monitor's severity), report progress, assembled customer
information, and refusals with their status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.ports import ReportPart
from csms_kernel.infra.envelopes import timestamp
from kit.builders.device_model import CommandsWorld
from kit.fakes.grpc_context import CONTEXT, Aborted

T0 = datetime(2026, 11, 21, 10, tzinfo=UTC)


def stored(
    event_id: int, minutes: int, *, cleared: bool = False, monitor: int | None = None, severity: int | None = None
) -> pb.StationEvent:
    reported = pb.StationEventReported(
        event_id=event_id, timestamp=timestamp(T0 + timedelta(minutes=minutes)), cleared=cleared, trigger="Alerting"
    )
    if monitor is not None:
        reported.variable_monitoring_id = monitor
    found = pb.StationEvent(station_id="CS-1", event=reported)
    if severity is not None:
        found.severity = severity
    return found


@pytest.fixture
def world() -> CommandsWorld:
    found = CommandsWorld()
    found.monitoring.events["CS-1"] = [
        stored(1, 1, monitor=7),
        stored(2, 2, severity=1),
        stored(2, 3, cleared=True, severity=1),
        stored(3, 4, monitor=8),
        stored(4, 5),
    ]
    found.monitoring.monitor_rows["CS-1"] = [
        pb.Monitor(monitor=pb.ReportedMonitor(id=7, severity=2), source="set"),
        pb.Monitor(monitor=pb.ReportedMonitor(id=8, severity=6), source="report"),
    ]
    return found


def ids(response: pb.ListStationEventsResponse) -> list[tuple[int, bool]]:
    return [(e.event.event_id, e.event.cleared) for e in response.events]


async def test_pages_newest_first_until_the_last(world: CommandsWorld) -> None:
    servicer = world.servicer()
    first = await servicer.ListStationEvents(pb.ListStationEventsRequest(station_id="CS-1", page_size=2), CONTEXT)
    assert ids(first) == [(4, False), (3, False)]
    second = await servicer.ListStationEvents(
        pb.ListStationEventsRequest(station_id="CS-1", page_size=2, page_token=first.next_page_token), CONTEXT
    )
    assert ids(second) == [(2, True), (2, False)]
    third = await servicer.ListStationEvents(
        pb.ListStationEventsRequest(station_id="CS-1", page_size=2, page_token=second.next_page_token), CONTEXT
    )
    assert (ids(third), third.next_page_token) == ([(1, False)], "")


async def test_since_and_cleared_filter(world: CommandsWorld) -> None:
    servicer = world.servicer()
    request = pb.ListStationEventsRequest(station_id="CS-1", since=timestamp(T0 + timedelta(minutes=2)), cleared=False)
    found = await servicer.ListStationEvents(request, CONTEXT)
    assert (ids(found), found.next_page_token) == ([(4, False), (3, False), (2, False)], "")


async def test_severity_filter_takes_a_2_0_1_events_severity_from_its_monitor(world: CommandsWorld) -> None:
    servicer = world.servicer()
    found = await servicer.ListStationEvents(pb.ListStationEventsRequest(station_id="CS-1", max_severity=2), CONTEXT)
    assert ids(found) == [(2, True), (2, False), (1, False)]
    assert [e.severity for e in found.events] == [1, 1, 2]


async def test_a_filtered_page_may_be_short_and_still_have_a_next_one(world: CommandsWorld) -> None:
    servicer = world.servicer()
    first = await servicer.ListStationEvents(
        pb.ListStationEventsRequest(station_id="CS-1", page_size=1, cleared=True), CONTEXT
    )
    assert ids(first) == [(2, True)]
    rest = await servicer.ListStationEvents(
        pb.ListStationEventsRequest(station_id="CS-1", page_size=1, cleared=True, page_token=first.next_page_token),
        CONTEXT,
    )
    assert ids(rest) == []


@pytest.mark.parametrize("token", ["garbage", "WzEsMl0="])
async def test_a_page_token_it_did_not_issue_is_invalid(world: CommandsWorld, token: str) -> None:
    with pytest.raises(Aborted) as aborted:
        await world.servicer().ListStationEvents(
            pb.ListStationEventsRequest(station_id="CS-1", page_token=token), CONTEXT
        )
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, "invalid page_token")


async def test_monitors_and_the_progress_of_each_report(world: CommandsWorld) -> None:
    world.monitoring.report_parts["CS-1"] = [
        ReportPart(42, 1, False, None, T0, count=3),
        ReportPart(42, 0, True, None, T0 + timedelta(seconds=1), count=5),
        ReportPart(43, 1, True, None, T0, count=2),
    ]
    found = await world.servicer().ListMonitors(pb.ListMonitorsRequest(station_id="CS-1"), CONTEXT)
    assert [m.monitor.id for m in found.monitors] == [7, 8]
    assert list(found.reports) == [
        pb.MonitoringReportProgress(
            request_id=42,
            status="complete",
            parts_received=2,
            monitors=8,
            updated_at=timestamp(T0 + timedelta(seconds=1)),
        ),
        pb.MonitoringReportProgress(
            request_id=43,
            status="receiving",
            parts_received=1,
            missing_seq_nos=[0],
            monitors=2,
            updated_at=timestamp(T0),
        ),
    ]


async def test_customer_information_is_assembled_in_seq_no_order(world: CommandsWorld) -> None:
    world.monitoring.information_parts[("CS-1", 9)] = [
        ReportPart(9, 1, False, T0, T0 + timedelta(seconds=2), data="world"),
        ReportPart(9, 0, True, T0, T0 + timedelta(seconds=1), data="hello "),
    ]
    found = await world.servicer().GetCustomerInformation(
        pb.GetCustomerInformationRequest(station_id="CS-1", request_id=9), CONTEXT
    )
    assert found == pb.GetCustomerInformationResponse(
        station_id="CS-1",
        request_id=9,
        status="complete",
        data="hello world",
        parts_received=2,
        generated_at=timestamp(T0),
        updated_at=timestamp(T0 + timedelta(seconds=2)),
    )


async def test_customer_information_without_parts_is_not_found(world: CommandsWorld) -> None:
    with pytest.raises(Aborted) as aborted:
        await world.servicer().GetCustomerInformation(
            pb.GetCustomerInformationRequest(station_id="CS-1", request_id=10), CONTEXT
        )
    assert aborted.value.code == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.ListStationEvents(pb.ListStationEventsRequest(), CONTEXT),
        lambda s: s.ListMonitors(pb.ListMonitorsRequest(), CONTEXT),
        lambda s: s.GetCustomerInformation(pb.GetCustomerInformationRequest(request_id=1), CONTEXT),
    ],
)
async def test_a_station_id_is_required(world: CommandsWorld, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Aborted) as aborted:
        await call(world.servicer())
    assert (aborted.value.code, aborted.value.details) == (grpc.StatusCode.INVALID_ARGUMENT, "station_id is required")
