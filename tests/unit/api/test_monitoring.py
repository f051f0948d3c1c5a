"""A station's events, monitors and customer information under `/api/v1/stations/{id}`: the filters reach
DeviceModelService, pages go on by sealed cursor (the filters sealed with them), the service's errors become
problems."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_api.domain.keys import Scope
from csms_kernel.infra.envelopes import timestamp
from kit.builders.api import Api

T0 = datetime(2026, 11, 21, 11, tzinfo=UTC)
TARGET = dm.MonitoredVariable(component="Connector", evse_id=1, connector_id=1, variable="Temperature")


def an_event(n: int) -> dm.StationEvent:
    return dm.StationEvent(
        station_id="CP-1",
        event=dm.StationEventReported(
            event_id=n,
            timestamp=timestamp(T0),
            trigger="Alerting",
            actual_value="81.5",
            tech_info="too hot",
            variable_monitoring_id=4,
            event_notification_type="CustomMonitor",
            target=TARGET,
        ),
        received_at=timestamp(T0),
        message_id=f"m-{n}",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        severity=2,
    )


async def test_an_event_as_json(api: Api) -> None:
    api.device_model.station_events["CP-1"] = [an_event(17)]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/events")
    assert answer.status_code == 200
    assert answer.json() == {
        "items": [
            {
                "event_id": 17,
                "timestamp": "2026-11-21T11:00:00Z",
                "trigger": "Alerting",
                "cause": None,
                "actual_value": "81.5",
                "tech_code": None,
                "tech_info": "too hot",
                "cleared": False,
                "transaction_id": None,
                "variable_monitoring_id": 4,
                "event_notification_type": "CustomMonitor",
                "severity": 2,
                "target": {
                    "component": "Connector",
                    "component_instance": None,
                    "evse_id": 1,
                    "connector_id": 1,
                    "variable": "Temperature",
                    "variable_instance": None,
                },
                "received_at": "2026-11-21T11:00:00Z",
                "message_id": "m-17",
                "ocpp_version": "2.0.1",
            }
        ],
        "next_cursor": None,
    }


async def test_filters_reach_the_service_and_pages_go_on_with_the_same_filters(api: Api) -> None:
    api.device_model.station_events["CP-1"] = [an_event(n) for n in (3, 2, 1)]
    query = {"limit": 2, "since": "2026-11-21T10:00:00Z", "cleared": "false", "severity": 3}
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/stations/CP-1/events", params=query)).json()
        second = (
            await client.get("/api/v1/stations/CP-1/events", params={**query, "cursor": first["next_cursor"]})
        ).json()
        other_filters = await client.get(
            "/api/v1/stations/CP-1/events", params={"cursor": first["next_cursor"], "limit": 2}
        )
        bad_severity = await client.get("/api/v1/stations/CP-1/events", params={"severity": 10})
    assert [e["event_id"] for e in first["items"] + second["items"]] == [3, 2, 1]
    request = api.device_model.requests("list_station_events")[0]
    assert (request.station_id, request.page_size, request.cleared, request.max_severity) == ("CP-1", 2, False, 3)
    assert request.since == timestamp(datetime(2026, 11, 21, 10, tzinfo=UTC))
    assert other_filters.status_code == 422
    assert bad_severity.status_code == 422


async def test_monitors_and_reports(api: Api) -> None:
    api.device_model.monitors["CP-1"] = dm.ListMonitorsResponse(
        monitors=[
            dm.Monitor(
                monitor=dm.ReportedMonitor(id=12, target=TARGET, type="UpperThreshold", value=80, severity=2),
                source="set",
                command_id="cmd-1",
                updated_at=timestamp(T0),
            )
        ],
        reports=[dm.MonitoringReportProgress(request_id=42, status="receiving", parts_received=1, missing_seq_nos=[0])],
    )
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/monitors")
    assert answer.json() == {
        "monitors": [
            {
                "id": 12,
                "target": {
                    "component": "Connector",
                    "component_instance": None,
                    "evse_id": 1,
                    "connector_id": 1,
                    "variable": "Temperature",
                    "variable_instance": None,
                },
                "type": "UpperThreshold",
                "value": 80.0,
                "severity": 2,
                "transaction": False,
                "event_notification_type": None,
                "source": "set",
                "command_id": "cmd-1",
                "request_id": None,
                "updated_at": "2026-11-21T11:00:00Z",
            }
        ],
        "reports": [
            {
                "request_id": 42,
                "status": "receiving",
                "parts_received": 1,
                "missing_seq_nos": [0],
                "monitors": 0,
                "updated_at": None,
            }
        ],
    }


async def test_customer_information_and_404_before_its_first_part(api: Api) -> None:
    api.device_model.customer_information[("CP-1", 9)] = dm.GetCustomerInformationResponse(
        station_id="CP-1",
        request_id=9,
        status="complete",
        data="hello world",
        parts_received=2,
        generated_at=timestamp(T0),
    )
    async with await api.as_(Scope.READ) as client:
        found = await client.get("/api/v1/stations/CP-1/customer-information/9")
        missing = await client.get("/api/v1/stations/CP-1/customer-information/10")
        negative = await client.get("/api/v1/stations/CP-1/customer-information/-1")
    assert found.json() == {
        "station_id": "CP-1",
        "request_id": 9,
        "status": "complete",
        "data": "hello world",
        "parts_received": 2,
        "missing_seq_nos": [],
        "generated_at": "2026-11-21T11:00:00Z",
        "updated_at": None,
    }
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    assert negative.status_code == 422


async def test_a_service_error_becomes_a_problem(api: Api) -> None:
    api.device_model.fail("list_monitors", grpc.StatusCode.UNAVAILABLE)
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/monitors")
    assert answer.status_code == 503


async def test_reads_need_a_key(api: Api) -> None:
    async with api.client() as client:
        answer = await client.get("/api/v1/stations/CP-1/events")
    assert answer.status_code == 401
