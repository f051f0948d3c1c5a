"""The monitoring read models' writers (registered in the device projection): station events, monitors from
set/clear answers and monitoring report parts, customer information parts. Pure: events in, CQL writes out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.projections import customer_information, device, monitors, station_events
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import Write, micros

AT = datetime(2026, 11, 21, 12, 0, 0, 500000, tzinfo=UTC)
EVENT_AT = datetime(2026, 11, 21, 11, 59, tzinfo=UTC)
GENERATED = datetime(2026, 11, 21, 11, 59, 30, tzinfo=UTC)


def event(**kind: object) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id="CS-1",
        ocpp_version=version_to_proto(OcppVersion.V201),
        message_id="m-1",
        occurred_at=timestamp(AT),
        **kind,  # type: ignore[arg-type]
    )


def reported_event(**fields: object) -> device_model_pb2.DeviceModelEvent:
    values: dict[str, object] = {
        "event_id": 17,
        "timestamp": timestamp(EVENT_AT),
        "trigger": "Alerting",
        "actual_value": "81.5",
        "event_notification_type": "CustomMonitor",
        "target": device_model_pb2.MonitoredVariable(component="Connector", evse_id=1, variable="Temperature"),
        "generated_at": timestamp(GENERATED),
        "seq_no": 0,
    }
    values.update(fields)
    return event(station_event_reported=device_model_pb2.StationEventReported(**values))  # type: ignore[arg-type]


def test_a_station_event_is_one_row_keyed_by_its_timestamp_id_and_cleared() -> None:
    (write,) = station_events.from_event(reported_event(cause=3, variable_monitoring_id=4, tech_info="hot"))
    row = dict(zip(station_events.COLUMNS, write.params, strict=False))
    assert write.cql.startswith("INSERT INTO {ks}.station_events (station_id, occurred_at, event_id, cleared,")
    assert row == {
        "station_id": "CS-1",
        "occurred_at": EVENT_AT,
        "event_id": 17,
        "cleared": False,
        "received_at": AT,
        "message_id": "m-1",
        "ocpp_version": "ocpp2.0.1",
        "trigger": "Alerting",
        "cause": 3,
        "actual_value": "81.5",
        "tech_code": None,
        "tech_info": "hot",
        "transaction_id": None,
        "variable_monitoring_id": 4,
        "event_notification_type": "CustomMonitor",
        "component": "Connector",
        "component_instance": None,
        "evse_id": 1,
        "connector_id": None,
        "variable": "Temperature",
        "variable_instance": None,
        "severity": None,
        "generated_at": GENERATED,
        "seq_no": 0,
        "tbc": False,
    }
    assert write.params[-1] == micros(AT)


def test_the_same_event_sent_again_writes_the_same_row() -> None:
    first = station_events.from_event(reported_event())
    again = reported_event()
    again.message_id = "m-2"
    assert first[0].params[:4] == station_events.from_event(again)[0].params[:4]


def answered(command: str, result: object, **fields: object) -> device_model_pb2.DeviceModelEvent:
    record = device_model_pb2.Command(
        command_id="cmd-1",
        station_id="CS-1",
        command=command,
        state=device_model_pb2.COMMAND_STATE_ANSWERED,
        result_json=json.dumps(result),
        **fields,  # type: ignore[arg-type]
    )
    return event(command_answered=device_model_pb2.CommandAnswered(command=record))


def test_monitors_the_station_accepted_are_kept_with_the_id_it_gave() -> None:
    result = {
        "results": [
            {
                "id": 12,
                "status": "accepted",
                "target": {"component": "EVSE", "variable": "Power", "evse_id": 1},
                "type": "upper_threshold",
                "value": 22000.0,
                "severity": 4,
                "transaction": False,
            },
            {
                "id": None,
                "status": "rejected",
                "target": {"component": "EVSE", "variable": "Current"},
                "type": "delta",
                "value": 1.0,
                "severity": 4,
                "transaction": False,
            },
        ]
    }
    assert monitors.from_command_answered(answered("set-variable-monitoring", result)) == [
        Write(
            monitors.UPSERT,
            (
                micros(AT),
                "EVSE",
                None,
                1,
                None,
                "Power",
                None,
                "UpperThreshold",
                22000.0,
                4,
                False,
                None,
                "set",
                "cmd-1",
                None,
                AT,
                "CS-1",
                12,
            ),
        )
    ]


def test_cleared_and_unknown_monitors_are_deleted_at_the_answer_time() -> None:
    result = {
        "results": [{"id": 1, "status": "accepted"}, {"id": 2, "status": "not_found"}, {"id": 3, "status": "rejected"}]
    }
    assert monitors.from_command_answered(answered("clear-variable-monitoring", result)) == [
        Write(monitors.DELETE, (micros(AT), "CS-1", 1)),
        Write(monitors.DELETE, (micros(AT), "CS-1", 2)),
    ]


def test_a_complete_report_asked_for_forgets_the_monitors_known_before_it_was_sent() -> None:
    sent = datetime(2026, 11, 21, 11, 58, tzinfo=UTC)
    for status in ("accepted", "empty_result_set"):
        all_of_them = answered(
            "get-monitoring-report",
            {"status": status, "request_id": 7},
            params_json=json.dumps({"request_id": 7}),
            sent_at=timestamp(sent),
        )
        assert monitors.from_command_answered(all_of_them) == [Write(monitors.DELETE_ALL, (micros(sent), "CS-1"))]
    for params in ({"request_id": 7, "criteria": ["delta"]}, {"request_id": 7, "targets": [{"component": "EVSE"}]}):
        filtered = answered(
            "get-monitoring-report", {"status": "accepted"}, params_json=json.dumps(params), sent_at=timestamp(sent)
        )
        assert monitors.from_command_answered(filtered) == []  # a filtered report tells nothing of the others
    refused = answered("get-monitoring-report", {"status": "rejected"}, params_json="{}", sent_at=timestamp(sent))
    assert monitors.from_command_answered(refused) == []


def test_other_commands_call_errors_and_results_not_understood_write_nothing() -> None:
    error = device_model_pb2.CommandAnswered(
        command=device_model_pb2.Command(command="clear-variable-monitoring", call_error={"code": "InternalError"})
    )
    assert monitors.from_command_answered(answered("reset", {"status": "accepted"})) == []
    assert monitors.from_command_answered(event(command_answered=error)) == []
    assert monitors.from_command_answered(answered("set-variable-monitoring", ["not", "an", "object"])) == []
    odd = {
        "results": [
            {"id": 1, "status": "accepted", "target": "EVSE.Power", "type": "often"},
            {"id": 2, "status": "accepted"},
        ]
    }
    assert monitors.from_command_answered(answered("set-variable-monitoring", odd)) == []


def test_a_monitoring_report_part_keeps_the_part_and_its_monitors() -> None:
    monitor = device_model_pb2.ReportedMonitor(
        id=5,
        target=device_model_pb2.MonitoredVariable(component="EVSE", variable="Power", evse_id=1, connector_id=1),
        type="Periodic",
        value=60,
        severity=9,
        transaction=True,
        event_notification_type="PreconfiguredMonitor",
    )
    part = device_model_pb2.MonitoringReportPartReceived(
        request_id=42, seq_no=2, tbc=True, generated_at=timestamp(GENERATED), monitors=[monitor]
    )
    assert monitors.from_report_part(event(monitoring_report_part_received=part)) == [
        Write(monitors.PART, (micros(AT), True, 1, GENERATED, AT, "CS-1", 42, 2)),
        Write(
            monitors.UPSERT,
            (
                micros(AT),
                "EVSE",
                None,
                1,
                1,
                "Power",
                None,
                "Periodic",
                60.0,
                9,
                True,
                "PreconfiguredMonitor",
                "report",
                None,
                42,
                AT,
                "CS-1",
                5,
            ),
        ),
    ]


def test_a_customer_information_part_is_kept_by_request_and_seq_no() -> None:
    part = device_model_pb2.CustomerInformationPartReceived(
        request_id=9, seq_no=1, tbc=False, generated_at=timestamp(GENERATED), data="rest"
    )
    assert customer_information.from_event(event(customer_information_part_received=part)) == [
        Write(customer_information.PART, (micros(AT), False, "rest", GENERATED, AT, "CS-1", 9, 1))
    ]


def test_the_device_projection_routes_the_kinds_to_these_writers() -> None:
    assert device.WRITERS["station_event_reported"] is station_events.from_event
    assert device.WRITERS["monitoring_report_part_received"] is monitors.from_report_part
    assert device.WRITERS["customer_information_part_received"] is customer_information.from_event
    answered = device.WRITERS["command_answered"]
    assert isinstance(answered, device.Chain) and monitors.from_command_answered in answered.writers
    assert set(device.TABLES) >= {"station_events", "monitors", "monitoring_report_parts", "customer_information_parts"}
