"""The monitoring read models on the migrated schema: events, monitors and report parts written by the device
projection's writers (in any order, repeated) read back through `CassandraMonitoringReads` and the read use case:
pages newest first with the since/cleared/severity filters, set then cleared monitors, monitors left out of a
complete report gone, out-of-order and duplicate parts counted once. Station ids are unique to each test."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.adapters.monitoring_store import CassandraMonitoringReads
from csms_device_model.app.monitoring import EventFilters, StationMonitoring
from csms_device_model.projections import device
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import CassandraWriter

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 21, 10, tzinfo=UTC)


def station() -> str:
    return f"MON-{uuid.uuid4().hex[:10]}"


def event(station_id: str, at: datetime, message_id: str = "m", **kind: object) -> pb.DeviceModelEvent:
    return pb.DeviceModelEvent(
        station_id=station_id,
        ocpp_version=version_to_proto(OcppVersion.V201),
        message_id=message_id,
        occurred_at=timestamp(at),
        **kind,  # type: ignore[arg-type]
    )


def reported(
    station_id: str, event_id: int, minute: int, *, cleared: bool = False, monitor: int | None = None
) -> pb.DeviceModelEvent:
    found = pb.StationEventReported(
        event_id=event_id,
        timestamp=timestamp(T0 + timedelta(minutes=minute)),
        trigger="Alerting",
        actual_value=str(event_id),
        cleared=cleared,
        event_notification_type="CustomMonitor",
        target=pb.MonitoredVariable(component="EVSE", evse_id=1, variable="Power"),
        generated_at=timestamp(T0),
    )
    if monitor is not None:
        found.variable_monitoring_id = monitor
    return event(station_id, T0 + timedelta(minutes=minute, seconds=1), f"m-{event_id}", station_event_reported=found)


def answered(station_id: str, command: str, result: object, at: datetime) -> pb.DeviceModelEvent:
    record = pb.Command(
        command_id=f"cmd-{command}", station_id=station_id, command=command, result_json=json.dumps(result)
    )
    return event(station_id, at, "", command_answered=pb.CommandAnswered(command=record))


async def project(session: CassandraSession, events: list[pb.DeviceModelEvent]) -> None:
    await CassandraWriter(session, "csms_device_model").apply(device.writes(events, None))


async def test_events_page_newest_first_with_filters_and_duplicates_once(session: CassandraSession) -> None:
    cs = station()
    events = [reported(cs, n, n, monitor=7 if n % 2 else None) for n in range(1, 8)]
    events.append(reported(cs, 3, 3, cleared=True))
    monitor = {
        "id": 7,
        "status": "accepted",
        "target": {"component": "EVSE", "variable": "Power"},
        "type": "upper_threshold",
        "value": 1.0,
        "severity": 2,
        "transaction": False,
    }
    await project(
        session, [*reversed(events), events[0], answered(cs, "set-variable-monitoring", {"results": [monitor]}, T0)]
    )
    reads = StationMonitoring(CassandraMonitoringReads(session))

    pages, token = [], ""
    while True:
        page, token = await reads.events(cs, 3, token, EventFilters())
        pages.append([(e.event.event_id, e.event.cleared) for e in page])
        if not token:
            break
    assert pages == [
        [(7, False), (6, False), (5, False)],
        [(4, False), (3, True), (3, False)],
        [(2, False), (1, False)],
    ]

    since, _ = await reads.events(cs, 10, "", EventFilters(since=T0 + timedelta(minutes=5)))
    assert [e.event.event_id for e in since] == [7, 6, 5]
    cleared, _ = await reads.events(cs, 10, "", EventFilters(cleared=True))
    assert [(e.event.event_id, e.event.actual_value) for e in cleared] == [(3, "3")]
    urgent, _ = await reads.events(cs, 10, "", EventFilters(max_severity=2))
    assert [(e.event.event_id, e.severity) for e in urgent] == [(7, 2), (5, 2), (3, 2), (1, 2)]
    assert urgent[0].received_at == timestamp(T0 + timedelta(minutes=7, seconds=1))
    assert urgent[0].event.target == pb.MonitoredVariable(component="EVSE", evse_id=1, variable="Power")


async def test_monitors_set_then_cleared_converge_in_any_order(session: CassandraSession) -> None:
    cs = station()
    target = {"component": "EVSE", "variable": "Power", "evse_id": 1}
    results = [
        {
            "id": i,
            "status": "accepted",
            "target": target,
            "type": "upper_threshold",
            "value": 10.0 * i,
            "severity": 3,
            "transaction": False,
        }
        for i in (1, 2, 3)
    ]
    set_ = answered(cs, "set-variable-monitoring", {"results": results}, T0)
    clear = answered(
        cs, "clear-variable-monitoring", {"results": [{"id": 2, "status": "accepted"}]}, T0 + timedelta(seconds=5)
    )
    part = pb.MonitoringReportPartReceived(
        request_id=42,
        seq_no=1,
        tbc=False,
        generated_at=timestamp(T0),
        monitors=[
            pb.ReportedMonitor(
                id=9,
                target=pb.MonitoredVariable(component="Connector", variable="Temp"),
                type="Delta",
                value=5,
                severity=8,
            )
        ],
    )
    first = pb.MonitoringReportPartReceived(request_id=42, seq_no=0, tbc=True, generated_at=timestamp(T0))
    report = [
        event(cs, T0 + timedelta(seconds=9), "r-1", monitoring_report_part_received=part),
        event(cs, T0 + timedelta(seconds=8), "r-0", monitoring_report_part_received=first),
    ]
    await project(session, [clear, *report, set_, report[0]])
    reads = StationMonitoring(CassandraMonitoringReads(session))
    monitors, reports = await reads.monitors(cs)
    assert [(m.monitor.id, m.monitor.value, m.source) for m in monitors] == [
        (1, 10.0, "set"),
        (3, 30.0, "set"),
        (9, 5.0, "report"),
    ]
    assert monitors[0].monitor.target == pb.MonitoredVariable(component="EVSE", evse_id=1, variable="Power")
    assert (monitors[0].monitor.type, monitors[0].command_id, monitors[2].request_id) == (
        "UpperThreshold",
        "cmd-set-variable-monitoring",
        42,
    )
    assert list(reports) == [
        pb.MonitoringReportProgress(
            request_id=42,
            status="complete",
            parts_received=2,
            monitors=1,
            updated_at=timestamp(T0 + timedelta(seconds=9)),
        )
    ]


async def test_a_complete_report_leaves_out_the_monitors_the_station_dropped(session: CassandraSession) -> None:
    cs = station()
    result = {
        "results": [
            {"id": i, "status": "accepted", "target": {"component": "EVSE", "variable": "Power"}, "type": "delta"}
            | {"value": 1.0, "severity": 3, "transaction": False}
            for i in (1, 2)
        ]
    }
    set_ = answered(cs, "set-variable-monitoring", result, T0)
    ask = answered(cs, "get-monitoring-report", {"status": "accepted", "request_id": 5}, T0 + timedelta(seconds=3))
    ask.command_answered.command.params_json = json.dumps({"request_id": 5})
    ask.command_answered.command.sent_at.CopyFrom(timestamp(T0 + timedelta(seconds=2)))
    only_one = pb.MonitoringReportPartReceived(
        request_id=5,
        seq_no=0,
        generated_at=timestamp(T0 + timedelta(seconds=2)),
        monitors=[pb.ReportedMonitor(id=2, target=pb.MonitoredVariable(component="EVSE", variable="Power"), value=1)],
    )
    part = event(cs, T0 + timedelta(seconds=4), "r-0", monitoring_report_part_received=only_one)
    await project(session, [part, ask, set_])  # any order: the times decide
    monitors, _ = await StationMonitoring(CassandraMonitoringReads(session)).monitors(cs)
    assert [(m.monitor.id, m.source) for m in monitors] == [(2, "report")]  # 1 was dropped by the station


async def test_customer_information_parts_assemble_once_whatever_their_order(session: CassandraSession) -> None:
    cs = station()

    def part(seq_no: int, data: str, tbc: bool) -> pb.DeviceModelEvent:
        found = pb.CustomerInformationPartReceived(
            request_id=9, seq_no=seq_no, tbc=tbc, generated_at=timestamp(T0), data=data
        )
        return event(cs, T0 + timedelta(seconds=seq_no), f"c-{seq_no}", customer_information_part_received=found)

    reads = StationMonitoring(CassandraMonitoringReads(session))
    await project(session, [part(2, "c", False), part(0, "a", True)])
    partial = await reads.customer_information(cs, 9)
    assert (partial.status, partial.data, list(partial.missing_seq_nos)) == ("receiving", "ac", [1])
    await project(session, [part(1, "b", True), part(0, "a", True)])
    whole = await reads.customer_information(cs, 9)
    assert (whole.status, whole.data, whole.parts_received, list(whole.missing_seq_nos)) == ("complete", "abc", 3, [])
